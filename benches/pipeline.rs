//! Criterion benchmarks of each pipeline stage on the labelled corpus in `datasets/`:
//! tokenizing, vectorizing (fit and transform), training every model kind on fixed
//! features, loading a model file, and predicting (a batch, and one text).
//!
//! `cargo bench --bench pipeline` runs them all; `cargo bench --bench pipeline -- train`
//! runs one group. Whole-process comparisons with other tools are in `scripts/peers` and
//! `scripts/bench` (see BENCHMARKS.md).

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use linfa::{DatasetBase, ParamGuard};
use stance::data::{read_labelled, Labelled, ReadOptions};
use stance::features::FeatureParams;
use stance::models::{ModelKind, ModelSettings};
use stance::pipeline::{Pipeline, TrainingMeta};
use stance::text::{Analyzer, AnalyzerSettings};

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

fn predict(c: &mut Criterion) {
    let train = split("train");
    let test = split("test");
    let params = match FeatureParams::new().check() {
        Ok(p) => p,
        Err(e) => panic!("default feature settings: {e}"),
    };
    let p = match Pipeline::fit(
        &train.texts,
        &train.labels,
        &params,
        &ModelSettings::default(),
        TrainingMeta::default(),
    ) {
        Ok(p) => p,
        Err(e) => panic!("training the benchmark model: {e}"),
    };
    let file = match p.to_bytes() {
        Ok(b) => b,
        Err(e) => panic!("serialising the benchmark model: {e}"),
    };
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

criterion_group!(benches, tokenize, vectorize, train, predict);
criterion_main!(benches);
