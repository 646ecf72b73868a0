//! Inputs built to break a quote scanner: pathological mark patterns, huge
//! inputs, random noise. Extraction must not panic and must keep its offsets
//! consistent. (A quadratic pass on the large inputs would run for hours, so a
//! regression shows as a hung test; speed itself is measured in benches/.)

use stance::quotes::{extract, ExtractOptions, Quote};

fn check_offsets(text: &str, quotes: &[Quote]) {
    let chars: Vec<char> = text.chars().collect();
    let mut last_para = 0;
    for q in quotes {
        assert!(q.start < q.end && q.end <= chars.len());
        let slice: String = chars[q.start..q.end].iter().collect();
        assert_eq!(slice, q.text);
        assert!(q.paragraph >= last_para);
        last_para = q.paragraph;
    }
}

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn random_noise_never_panics_and_offsets_stay_consistent() {
    let pieces = [
        "\"",
        "“",
        "”",
        "'",
        "‘",
        "’",
        "«",
        "»",
        " ",
        " ",
        "\n",
        "\n\n",
        ",",
        ".",
        ":",
        "?",
        "\u{0}",
        "a",
        "We",
        "said",
        "says",
        " he ",
        "She",
        "Mr",
        "Ana Ruiz",
        "the ministry",
        "according to",
        "'90s",
        "rock ’n’ roll",
        "—",
        "(",
        ")",
        "é",
        "日本",
        "🙂",
        "that",
        "told",
        "Putin",
        "so-called",
    ];
    let mut rng = Lcg(7);
    let opts = ExtractOptions {
        keep_scare_quotes: true,
        ..ExtractOptions::default()
    };
    for _ in 0..3_000 {
        let len = (rng.next() % 120) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(rng.next() as usize) % pieces.len()])
            .collect();
        let quotes = extract(&text, &opts);
        check_offsets(&text, &quotes);
    }
}

#[test]
fn edge_inputs_do_not_panic() {
    let inputs = [
        "",
        " ",
        "\n",
        "\u{0}",
        "\"",
        "“",
        "”",
        "'",
        "\"\"",
        "“”",
        "\"a",
        "a\"",
        "“a",
        "a”",
        "\" \"",
        "\u{0}\"\u{0}\"\u{0}",
        "\"x,\" said",
        "\"x,\" said,",
        "said: \"",
        "According to",
        "\"x\" according to",
        "'",
        "''",
        "' '",
        "\r\n\"\r\n\"\r\n",
    ];
    for text in inputs {
        let quotes = extract(text, &ExtractOptions::default());
        check_offsets(text, &quotes);
    }
}

fn run(text: &str) {
    let quotes = extract(text, &ExtractOptions::default());
    check_offsets(text, &quotes);
}

#[test]
fn ten_thousand_marks_in_a_row() {
    for mark in ["\"", "“", "”", "'", "’"] {
        run(&mark.repeat(10_000));
    }
}

#[test]
fn a_long_single_line_with_marks_and_names() {
    let unit =
        "“We are ready,” Ana Ruiz said, “to talk.” He said that NATO had “tricked” them. Ruiz ";
    run(&unit.repeat(2_000_000 / unit.len()));
}

#[test]
fn a_long_single_line_with_an_unclosed_quote() {
    run(&format!("He said \"{}", "word Ruiz said, ".repeat(200_000)));
}

#[test]
fn a_long_text_without_marks_is_empty() {
    let text = "The minister said talks would resume on Monday. ".repeat(100_000);
    assert!(extract(&text, &ExtractOptions::default()).is_empty());
}

#[test]
fn a_long_run_of_letters_and_apostrophes() {
    run(&format!("'{}' x", "a".repeat(1_000_000)));
    run(&"'a".repeat(300_000));
}
