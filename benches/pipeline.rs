//! Criterion benchmarks of each pipeline stage on the labelled corpus in `datasets/`:
//! tokenizing, vectorizing (fit and transform), training every model kind on fixed
//! features, loading a model file (the corpus's model, and one of about 190k terms),
//! predicting (a batch, and one text), and finding quotes in news-style articles built from
//! the corpus's quotes.
//!
//! `cargo bench --bench pipeline` runs them all; `cargo bench --bench pipeline -- train`
//! runs one group. Whole-process comparisons with other tools are in `scripts/peers` and
//! `scripts/bench` (see BENCHMARKS.md).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use linfa::{DatasetBase, ParamGuard};
use stance::features::FeatureParams;
use stance::input::labelled::{read_labelled, Labelled, ReadOptions};
use stance::models::{ModelKind, ModelSettings};
use stance::pipeline::{Pipeline, TrainingMeta};
use stance::quotes::{extract, ExtractOptions};
use stance::text::{Analyzer, AnalyzerSettings};
use stance::util::Rng;

/// One split of `datasets/quotes.csv`, labelled by stance.
fn split(which: &str) -> Labelled {
    let path = format!("{}/datasets/quotes.csv", env!("CARGO_MANIFEST_DIR"));
    let opts = ReadOptions {
        label_column: "stance".into(),
        filter: Some(("split".into(), which.into())),
        ..ReadOptions::default()
    };
    match read_labelled(&path, &opts) {
        Ok(d) => d,
        Err(e) => panic!("benchmarks need {path}: {e}"),
    }
}

fn bytes(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

/// Sorted distinct labels and each row's index into them, as `Pipeline::fit` does.
fn class_indices(labels: &[String]) -> ndarray::Array1<usize> {
    let mut names = labels.to_vec();
    names.sort();
    names.dedup();
    labels
        .iter()
        .map(|l| names.binary_search(l).unwrap_or(0))
        .collect()
}

fn tokenize(c: &mut Criterion) {
    let train = split("train");
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Bytes(bytes(&train.texts)));
    g.sample_size(20);
    let analyzers = [
        ("default", AnalyzerSettings::default()),
        (
            "no_stemming",
            AnalyzerSettings {
                stem: None,
                ..AnalyzerSettings::default()
            },
        ),
    ];
    for (name, settings) in analyzers {
        let a = Analyzer::new(settings);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0usize;
                for t in &train.texts {
                    n += a.tokens(black_box(t)).len();
                }
                n
            })
        });
    }
    g.finish();
}

fn vectorize(c: &mut Criterion) {
    let train = split("train");
    let params = match FeatureParams::new().check() {
        Ok(p) => p,
        Err(e) => panic!("default feature settings: {e}"),
    };
    let fitted = match params.fit(&train.texts) {
        Ok(v) => v,
        Err(e) => panic!("fitting the vectorizer: {e}"),
    };
    let mut g = c.benchmark_group("vectorize");
    g.throughput(Throughput::Bytes(bytes(&train.texts)));
    g.sample_size(10);
    g.bench_function("fit", |b| b.iter(|| params.fit(black_box(&train.texts))));
    g.bench_function("fit_transform", |b| {
        b.iter(|| params.fit_transform(black_box(&train.texts)))
    });
    g.bench_function("transform", |b| {
        b.iter(|| fitted.transform(black_box(&train.texts)))
    });
    g.finish();
}

fn train(c: &mut Criterion) {
    let train = split("train");
    let params = match FeatureParams::new().check() {
        Ok(p) => p,
        Err(e) => panic!("default feature settings: {e}"),
    };
    let x = match params.fit(&train.texts) {
        Ok(v) => v.transform(&train.texts),
        Err(e) => panic!("fitting the vectorizer: {e}"),
    };
    let ds = DatasetBase::new(x, class_indices(&train.labels));
    let mut g = c.benchmark_group("train");
    g.throughput(Throughput::Elements(train.texts.len() as u64));
    // A fit takes from milliseconds (nb) to a second (logreg): few samples suffice.
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    for kind in ModelKind::ALL {
        let settings = ModelSettings::for_kind(kind);
        g.bench_with_input(BenchmarkId::new("model", kind.name()), &ds, |b, ds| {
            b.iter(|| settings.fit(black_box(ds)))
        });
    }
    g.bench_function("pipeline_nblr", |b| {
        b.iter(|| {
            Pipeline::fit(
                black_box(&train.texts),
                &train.labels,
                &params,
                &ModelSettings::default(),
                TrainingMeta::default(),
            )
        })
    });
    g.finish();
}

/// A pipeline fitted on `train` with these settings, and its model file's bytes.
fn fitted(train: &Labelled, features: FeatureParams, model: ModelSettings) -> (Pipeline, Vec<u8>) {
    let params = match features.check() {
        Ok(p) => p,
        Err(e) => panic!("feature settings: {e}"),
    };
    let meta = TrainingMeta::default();
    let p = match Pipeline::fit(&train.texts, &train.labels, &params, &model, meta) {
        Ok(p) => p,
        Err(e) => panic!("training the benchmark model: {e}"),
    };
    match p.to_bytes() {
        Ok(file) => (p, file),
        Err(e) => panic!("serialising the benchmark model: {e}"),
    }
}

fn predict(c: &mut Criterion) {
    let train = split("train");
    let test = split("test");
    let (p, file) = fitted(&train, FeatureParams::new(), ModelSettings::default());
    let mut g = c.benchmark_group("predict");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(bytes(&test.texts)));
    g.bench_function("batch", |b| b.iter(|| p.predict(black_box(&test.texts))));
    g.throughput(Throughput::Elements(1));
    let one = &test.texts[0];
    g.bench_function("one", |b| b.iter(|| p.predict_one(black_box(one))));
    g.throughput(Throughput::Bytes(file.len() as u64));
    g.bench_function("load_model", |b| {
        b.iter(|| Pipeline::from_bytes(black_box(&file), Path::new("bench.model")))
    });
    g.finish();
}

/// Loading a model of 189,435 terms: nb on the train split with word 1-2-grams and
/// character 4-5-grams, the size of a model trained on 10,000 rows of `scripts/synth.py`
/// (191,013 terms, as BENCHMARKS.md's scaling tables have it) and of the built-in models
/// (158k-169k terms). Beside it, the CRC-32 of the same bytes alone: the floor of a loader
/// that checks the checksum.
fn load(c: &mut Criterion) {
    let train = split("train");
    let (p, file) = fitted(
        &train,
        FeatureParams::new().char_ngrams(Some((4, 5))),
        ModelSettings::for_kind(ModelKind::Nb),
    );
    let dir = std::env::temp_dir().join(format!("stance-bench-load-{}", std::process::id()));
    let path = dir.join("large.model");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &file)) {
        panic!("writing {}: {e}", path.display());
    }
    let terms = p.vectorizer.vocabulary().len();
    let mut g = c.benchmark_group("load");
    g.sample_size(50);
    g.throughput(Throughput::Bytes(file.len() as u64));
    g.bench_function(format!("from_bytes_{}k_terms", terms / 1000), |b| {
        b.iter(|| Pipeline::from_bytes(black_box(&file), Path::new("bench.model")))
    });
    g.bench_function(format!("file_{}k_terms", terms / 1000), |b| {
        b.iter(|| Pipeline::load(black_box(&path)))
    });
    g.bench_function("crc32_only", |b| {
        b.iter(|| crc32fast::hash(black_box(&file)))
    });
    g.finish();
    // Best effort: a leftover file in the temporary directory harms nothing.
    let _ = std::fs::remove_dir_all(&dir);
}

/// News-style articles around the corpus's quotes: a headline, narration, and each quote in
/// one of the attribution patterns wire copy uses (cue after, cue before, inverted cue,
/// pronoun, partial quote). Seeded, so every run measures the same text.
fn articles(quotes: &[String], n: usize) -> Vec<String> {
    const PEOPLE: [(&str, &str, &str); 6] = [
        ("Foreign Minister", "Amara Okafor", "she"),
        ("union leader", "Tomasz Wierzbicki", "he"),
        ("ministry spokesman", "Li Wen", "he"),
        ("Mayor", "Ines Carvalho", "she"),
        ("coach", "Daniel Reyes", "he"),
        ("chief executive", "Hana Sato", "she"),
    ];
    const NARRATION: [&str; 4] = [
        "Talks resumed on Tuesday after a week of rising tension.",
        "The dispute has drawn crowds to the capital for three days.",
        "Officials from both sides met behind closed doors in the afternoon.",
        "Markets fell sharply as the deadline approached.",
    ];
    let mut rng = Rng::new(7);
    let mut out = Vec::with_capacity(n);
    let mut next = 0usize;
    for a in 0..n {
        let mut text = format!("Dispute deepens as deadline nears, report {a}\n\n");
        for p in 0..6 {
            let q = quotes[next % quotes.len()].trim_end_matches(['.', '!', '?', ',']);
            next += 1;
            let (title, name, pronoun) = PEOPLE[rng.below(PEOPLE.len())];
            let last = name.rsplit(' ').next().unwrap_or(name);
            text.push_str(NARRATION[(a + p) % NARRATION.len()]);
            text.push(' ');
            match rng.below(5) {
                0 => text.push_str(&format!("\"{q},\" {title} {name} said.")),
                1 => text.push_str(&format!("{name}, the {title}, said: \"{q}.\"")),
                2 => text.push_str(&format!("\"{q},\" said {last}.")),
                3 => text.push_str(&format!("\"{q},\" {pronoun} added.")),
                _ => {
                    let words: Vec<&str> = q.split_whitespace().take(4).collect();
                    text.push_str(&format!(
                        "{last} called it \"{}\" in a statement.",
                        words.join(" ")
                    ));
                }
            }
            text.push_str("\n\n");
        }
        out.push(text);
    }
    out
}

fn quotes(c: &mut Criterion) {
    let all = split("train");
    let docs = articles(&all.texts, 500);
    let opts = ExtractOptions::default();
    let model = match stance::pipeline::builtin::builtin(stance::pipeline::builtin::Task::Stance) {
        Ok(m) => m,
        Err(e) => panic!("loading the built-in stance model: {e}"),
    };
    let mut g = c.benchmark_group("quotes");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(bytes(&docs)));
    g.bench_function("extract", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| extract(black_box(d), &opts).len())
                .sum::<usize>()
        })
    });
    g.bench_function("extract_and_classify", |b| {
        b.iter(|| {
            let found: Vec<String> = docs
                .iter()
                .flat_map(|d| extract(black_box(d), &opts))
                .map(|q| q.text)
                .collect();
            model.predict(&found).len()
        })
    });
    g.finish();
}

criterion_group!(benches, tokenize, vectorize, train, predict, load, quotes);
criterion_main!(benches);
