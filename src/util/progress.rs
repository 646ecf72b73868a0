//! Progress of long work as plain events, for whoever watches: the command line turns them
//! into progress bars; the library itself never writes to a terminal.
//!
//! Reporting reads figures the work computes anyway, so it changes no result: the same
//! seed gives the same model, watched or not.

/// One thing that happened during long work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event<'a> {
    /// A stage begins (`"extracting features"`, `"fitting the model"`, …).
    Stage(&'a str),
    /// An optimiser is at iteration `n` of at most `max`. `grad_norm` is the figure its
    /// stopping rule compares with `tol`: the largest gradient entry for L-BFGS (logreg,
    /// nblr); for the SVM, the projected-gradient gap of the last pass, with `n` and `max`
    /// counting the passes of all its one-vs-rest problems together.
    Iteration {
        /// Iterations done.
        n: u64,
        /// The iteration cap.
        max: u64,
        /// The convergence figure now.
        grad_norm: f64,
        /// The tolerance it must reach.
        tol: f64,
    },
    /// Model fits of cross-validation done (every configuration on every fold).
    Fits {
        /// Fits done.
        done: usize,
        /// Fits in all: folds × configurations.
        total: usize,
        /// The highest mean macro-F1 of a configuration over the folds it was scored on so
        /// far (it falls when the leader's next fold scores lower).
        best: Option<f64>,
    },
}

/// Receives [`Event`]s. It may be called from several threads at once and from inside
/// the optimiser's loop, so it must be cheap.
pub trait Progress: Sync {
    /// Something happened.
    fn event(&self, event: Event<'_>);
}

/// Watches nothing: what the entry points without a progress argument use.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn event(&self, _: Event<'_>) {}
}

impl<F: Fn(Event<'_>) + Sync> Progress for F {
    fn event(&self, event: Event<'_>) {
        self(event)
    }
}

/// Stage names that `prefix` is put before, as `"{prefix}: {stage}"`, for work that runs
/// another's stages inside its own (calibrated training fits twice).
pub struct Prefixed<'a> {
    /// Put before each stage name.
    pub prefix: &'a str,
    /// Where the events go.
    pub inner: &'a dyn Progress,
}

impl Progress for Prefixed<'_> {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::Stage(s) => self
                .inner
                .event(Event::Stage(&format!("{}: {s}", self.prefix))),
            other => self.inner.event(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_closure_watches_and_a_prefix_names_the_outer_stage() {
        let seen = Mutex::new(Vec::new());
        let log = |e: Event<'_>| {
            if let Event::Stage(s) = e {
                seen.lock().unwrap().push(s.to_string());
            }
        };
        let p = Prefixed {
            prefix: "held-out fit",
            inner: &log,
        };
        p.event(Event::Stage("fitting the model"));
        p.event(Event::Fits {
            done: 1,
            total: 2,
            best: None,
        });
        Silent.event(Event::Stage("never seen"));
        assert_eq!(*seen.lock().unwrap(), ["held-out fit: fitting the model"]);
    }
}
