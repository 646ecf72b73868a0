//! The checks each fuzz target runs, shared with `tests/fuzz_regressions.rs`.

#[path = "../../tests/fuzz_checks/mod.rs"]
pub mod checks;
