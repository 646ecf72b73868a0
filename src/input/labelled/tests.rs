//! Tests of reading labelled data and tables: the CSV checks against references, and the
//! messages for every kind of bad row.

use super::*;
use crate::input::lines::LineReader;

fn opts() -> ReadOptions {
    ReadOptions::default()
}

/// The quote check one byte at a time, as written before it jumped between the bytes
/// that matter: the reference the faster scan must agree with. Returns the offending
/// quote's opening offset and the byte where the check failed.
fn quote_reference(body: &[u8]) -> Option<(usize, usize)> {
    let (mut state, mut open) = (0, 0); // 0 field start, 1 unquoted, 2 quoted, 3 quote in quoted
    for (i, &b) in body.iter().enumerate() {
        state = match (state, b) {
            (0, b'"') => {
                open = i;
                2
            }
            (2, b'"') => 3,
            (2, _) => 2,
            (3, b'"') => 2,
            (_, b',' | b'\n' | b'\r') => 0,
            (3, _) => return Some((open, i)),
            _ => 1,
        };
    }
    (state == 2).then_some((open, body.len()))
}

proptest::proptest! {
    #[test]
    fn quote_check_agrees_with_the_byte_by_byte_reference(body in "[a\",\r\n]{0,40}") {
        let body = body.as_bytes();
        let got = unterminated_quote("f.csv", body, &|b| b).err().map(|e| e.to_string());
        let want = quote_reference(body);
        proptest::prop_assert_eq!(got.is_some(), want.is_some(), "{:?}", got);
        if let (Some(msg), Some((open, at))) = (got, want) {
            let opened = format!("opened at byte offset {open} ");
            proptest::prop_assert!(msg.contains(&opened), "{}", msg);
            if at < body.len() {
                let closed = format!("closed at line {} ", at - 1);
                proptest::prop_assert!(msg.contains(&closed), "{}", msg);
            }
        }
    }

    #[test]
    fn line_index_counts_lf_crlf_and_lone_cr(body in "[a\r\n]{0,40}", at in 0u64..40) {
        let body = body.as_bytes();
        let line_at = line_index(body);
        let ends = body
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && body.get(i + 1) != Some(&b'\n')))
            .filter(|&(i, _)| i as u64 <= at)
            .count() as u64;
        proptest::prop_assert_eq!(line_at(at), ends + 1);
    }
}

#[test]
fn csv_with_bom_crlf_and_multiline_quoted_fields() {
    let data = b"\xEF\xBB\xBFtext,label\r\n\"we will, respond\",threat\r\n\"two\nlines\",calm\r\n";
    let d = parse_labelled("x.csv", data, &opts()).unwrap();
    assert_eq!(d.texts, ["we will, respond", "two\nlines"]);
    assert_eq!(d.labels, ["threat", "calm"]);
    assert_eq!(d.lines, [2, 3]);
}

#[test]
fn missing_column_names_the_file_and_the_columns() {
    let e = parse_labelled("x.csv", b"body,label\nhi,a\n", &opts()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("x.csv") && msg.contains("\"text\"") && msg.contains("body"),
        "{msg}"
    );
}

#[test]
fn empty_label_is_reported_with_its_line_or_skipped() {
    let data = b"text,label\nok,a\nbad,\nfine,b\n";
    let e = parse_labelled("d.csv", data, &opts()).unwrap_err();
    assert_eq!(e.to_string(), "d.csv:3: empty label in column \"label\"");
    let d = parse_labelled(
        "d.csv",
        data,
        &ReadOptions {
            skip_bad_rows: true,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(d.texts, ["ok", "fine"]);
    assert_eq!(d.skipped.len(), 1);
}

#[test]
fn invalid_utf8_names_line_and_column_unless_lossy() {
    let data = b"text,label\nab\xFFcd,a\n";
    let e = parse_labelled("u.csv", data, &opts()).unwrap_err();
    assert!(e.to_string().starts_with("u.csv:2:"), "{e}");
    let d = parse_labelled(
        "u.csv",
        data,
        &ReadOptions {
            lossy: true,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(d.texts, ["ab\u{FFFD}cd"]);
}

#[test]
fn jsonl_rows_and_filter() {
    let data = b"{\"text\":\"a\",\"label\":\"x\",\"split\":\"train\"}\n\n{\"text\":\"b\",\"label\":1,\"split\":\"test\"}\n";
    let d = parse_labelled(
        "d.jsonl",
        data,
        &ReadOptions {
            filter: Some(("split".into(), "test".into())),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(d.texts, ["b"]);
    assert_eq!(d.labels, ["1"]);
    assert_eq!(d.lines, [3]);
    assert_eq!(d.filtered_out, 1);
}

#[test]
fn header_only_and_empty_files_are_empty_input() {
    assert!(matches!(
        parse_labelled("h.csv", b"text,label\n", &opts()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        parse_labelled("e.csv", b"", &opts()),
        Err(Error::EmptyInput { .. })
    ));
}

#[test]
fn nul_bytes_are_refused_with_their_offset_or_replaced_and_counted() {
    let data = b"ok\nab\0c\n".to_vec();
    let mut r = LineReader::from_reader("in", Box::new(std::io::Cursor::new(data.clone())), false);
    r.next_line().unwrap();
    let e = r.next_line().unwrap_err().to_string();
    assert!(e.starts_with("in:2: NUL byte at byte offset 5"), "{e}");
    let mut r = LineReader::from_reader("in", Box::new(std::io::Cursor::new(data)), true);
    r.next_line().unwrap();
    assert_eq!(r.next_line().unwrap().as_deref(), Some("ab\u{FFFD}c"));
    assert_eq!(r.replaced, 1);

    let csv = b"text,label\n\"a\0b\",x\nfine,y\n";
    let e = parse_labelled("d.csv", csv, &opts())
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("d.csv:2: NUL byte in column \"text\""), "{e}");
    let lossy = ReadOptions {
        lossy: true,
        ..opts()
    };
    let d = parse_labelled("d.csv", csv, &lossy).unwrap();
    assert_eq!(d.texts[0], "a\u{FFFD}b");
    assert_eq!(d.replaced, 1);
}

#[test]
fn utf16_files_are_named_as_such() {
    let data = b"\xFF\xFEt\0e\0x\0t\0";
    for e in [
        parse_labelled("u.csv", data, &opts()).unwrap_err(),
        parse_table("u.csv", data, true).unwrap_err(),
    ] {
        assert!(
            e.to_string().starts_with("u.csv:1: the file is UTF-16"),
            "{e}"
        );
    }
}

#[test]
fn stray_quote_inside_an_unquoted_field_is_ordinary_text() {
    let d = parse_labelled("d.csv", b"text,label\nhe said \"no,x\nok,y\n", &opts()).unwrap();
    assert_eq!(d.texts, ["he said \"no", "ok"]);
}

#[test]
fn quoted_field_closed_by_a_quote_text_follows_names_its_opening_line() {
    let data = b"text,label\nok,x\n\"never closed,y\n\"more\",x\n";
    let e = parse_labelled("d.csv", data, &opts())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "d.csv:3: malformed CSV: the quoted field opened at byte offset 16 is closed at line 4"
        ),
        "{e}"
    );
    let e = parse_labelled("d.csv", b"text,label\nok,x\n\"open", &opts())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "d.csv:3: malformed CSV: the quoted field opened at byte offset 16 is never closed"
    );
    // Doubled quotes inside a quoted field are text, however many.
    let data = format!("text,label\n\"{}\",x\nok,y\n", "\"\"".repeat(5000));
    let d = parse_labelled("d.csv", data.as_bytes(), &opts()).unwrap();
    assert_eq!(d.texts[0], "\"".repeat(5000));
}

#[test]
fn a_field_over_the_text_limit_is_a_bad_row() {
    let big = "a".repeat(MAX_TEXT_BYTES + 1);
    let data = format!("text,label\nok,x\n{big},y\n");
    let e = parse_labelled("d.csv", data.as_bytes(), &opts())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("d.csv:3: column \"text\" holds 1048577 bytes"),
        "{e}"
    );
}

#[test]
fn missing_column_message_is_one_line_even_for_binary_headers() {
    let e = parse_labelled("b.csv", b"\"a\nb\",c\x01\nx,y\n", &opts())
        .unwrap_err()
        .to_string();
    assert!(!e.contains('\n'), "{e:?}");
    assert!(e.contains("a\\nb, c\\u{1}"), "{e}");
}

#[test]
fn rows_of_a_file_with_lone_cr_line_ends_get_their_own_lines() {
    let d = parse_labelled("mac.csv", b"text,label\ra,x\rb,y\r\nc,z\n", &opts()).unwrap();
    assert_eq!(d.lines, [2, 3, 4]);
    let e = parse_labelled("mac.csv", b"text,label\ra,x\rb,\rc,z\r", &opts()).unwrap_err();
    assert_eq!(e.to_string(), "mac.csv:3: empty label in column \"label\"");
}
