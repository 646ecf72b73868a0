//! Replays every input the fuzzers found trouble with (`tests/fuzz-regressions/<target>/`)
//! through the same checks the fuzz targets run, so each fixed crash, hang or blow-up
//! stays fixed without cargo-fuzz.

mod fuzz_checks;

use std::path::Path;

#[test]
fn every_saved_fuzz_input_passes_its_target_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut replayed = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let check = fuzz_checks::TARGETS
            .iter()
            .find(|(t, _)| *t == name)
            .unwrap_or_else(|| panic!("{}: no fuzz target named {name}", dir.display()))
            .1;
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).unwrap();
            // Name the input if its check panics.
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{} failed its check", f.display());
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no fuzz regression inputs under {}",
        root.display()
    );
}
