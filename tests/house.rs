//! The house rules a reader relies on, checked on the source tree: folders import down the
//! pipeline only, no source file runs past about 700 lines without saying why at its top,
//! and no function runs past 120 lines.

use std::path::{Path, PathBuf};

/// Lines a source file may have before its `//!` header must say why it is long.
const MAX_FILE_LINES: usize = 700;
/// Lines a function may have, signature to closing brace.
const MAX_FN_LINES: usize = 120;
/// What a long file's header says, followed by the reason.
const LONG_FILE_MARK: &str = "Why one file:";

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root).unwrap().display().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The source with comments, strings and char literals blanked to spaces (line breaks
/// kept), so that braces and keywords left are code.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && !b
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
            && {
                let s = if c == 'b' { i + 2 } else { i + 1 };
                let h = b[s..].iter().take_while(|&&x| x == '#').count();
                b.get(s + h) == Some(&'"')
            }
        {
            // A raw string: r"…", r#"…"#, br"…".
            let s = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = b[s..].iter().take_while(|&&x| x == '#').count();
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut j = s + hashes + 1;
            while j < b.len() && b[j..].iter().take(close.len()).ne(close.iter()) {
                j += 1;
            }
            let end = (j + close.len()).min(b.len());
            for &x in &b[i..end] {
                out.push(blank(x));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}'), or else a lifetime or label.
            let lit_end = if next == Some('\\') {
                b[i + 2..]
                    .iter()
                    .position(|&x| x == '\'')
                    .map(|p| i + 2 + p)
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match lit_end {
                Some(e) => {
                    out.extend(std::iter::repeat_n(' ', e + 1 - i));
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every function's name, first line (1-based) and length in lines.
fn functions(src: &str) -> Vec<(String, usize, usize)> {
    let code = code_only(src);
    let b: Vec<char> = code.chars().collect();
    let line_of = |k: usize| b[..k].iter().filter(|&&c| c == '\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        let word_start = i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_');
        if word_start && b[i] == 'f' && b[i + 1] == 'n' && b[i + 2].is_whitespace() {
            let name: String = b[i + 2..]
                .iter()
                .skip_while(|c| c.is_whitespace())
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            // The body opens at the first `{` outside brackets; a `;` first means no body.
            let mut j = i;
            let mut nest = 0i32;
            while j < b.len() {
                match b[j] {
                    '(' | '[' | '<' => nest += 1,
                    ')' | ']' => nest -= 1,
                    '>' if b[j - 1] != '-' && b[j - 1] != '=' => nest -= 1,
                    '{' if nest <= 0 => break,
                    ';' if nest <= 0 => break,
                    _ => {}
                }
                j += 1;
            }
            if j < b.len() && b[j] == '{' && !name.is_empty() {
                let mut depth = 0;
                let mut k = j;
                while k < b.len() {
                    match b[k] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
                let (first, last) = (line_of(i), line_of(k.min(b.len() - 1)));
                out.push((name, first, last - first + 1));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn the_scanner_skips_strings_comments_and_chars_and_measures_functions() {
    let src = "fn a() {\n    let s = \"}\";\n    let c = '}';\n    // }\n    let r = r#\"}\"#;\n}\nfn b<'x>(v: &'x str) -> &'x str {\n    /* { */ v\n}\nfn c();\n";
    assert_eq!(
        functions(src),
        [("a".to_string(), 1, 6), ("b".to_string(), 7, 3)]
    );
}

#[test]
fn no_function_is_over_120_lines() {
    let mut long = Vec::new();
    for (name, src) in sources() {
        for (f, line, n) in functions(&src) {
            if n > MAX_FN_LINES {
                long.push(format!("{name}:{line} fn {f}: {n} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines (break them into named steps):\n{}",
        long.join("\n")
    );
}

#[test]
fn a_file_over_700_lines_says_why_at_its_top() {
    let mut long = Vec::new();
    for (name, src) in sources() {
        let lines = src.lines().count();
        let header: Vec<&str> = src.lines().take_while(|l| l.starts_with("//!")).collect();
        if lines > MAX_FILE_LINES && !header.iter().any(|l| l.contains(LONG_FILE_MARK)) {
            long.push(format!("{name}: {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines without a `{LONG_FILE_MARK}` line in their `//!` \
         header (split them by concern, or say why they are one):\n{}",
        long.join("\n")
    );
}

/// `use` paths of the crate's own modules in a file, as `crate::a::b`.
fn crate_paths(src: &str) -> Vec<String> {
    let code = code_only(src);
    code.match_indices("crate::")
        .map(|(i, _)| {
            code[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect()
        })
        .collect()
}

#[test]
fn the_pipeline_imports_nothing_from_evaluation_and_no_stage_imports_the_reports() {
    let mut wrong = Vec::new();
    for (name, src) in sources() {
        let module = name.trim_start_matches("src/");
        // The binary (main.rs, cli/) is the front end: it may import anything.
        if module == "main.rs" || module.starts_with("cli/") {
            continue;
        }
        for path in crate_paths(&src) {
            let bad = (module.starts_with("pipeline/") && path.starts_with("crate::evaluate"))
                || (!module.starts_with("report/") && path.starts_with("crate::report"));
            if bad {
                wrong.push(format!("{name}: {path}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline's direction:\n{}",
        wrong.join("\n")
    );
}
