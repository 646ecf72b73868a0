//! The sparse record type every model consumes.

use linfa::dataset::Records;
use sprs::CsMatI;

/// A CSR matrix of `f32` feature values, one row per document, as linfa records.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseRecords {
    /// Rows are documents, columns are vocabulary indices.
    pub matrix: CsMatI<f32, u32, usize>,
}

impl SparseRecords {
    /// Build from CSR parts; `indptr` has one more entry than there are rows.
    /// Column indices in each row must be sorted and below `ncols`.
    pub fn from_csr(ncols: usize, indptr: Vec<usize>, indices: Vec<u32>, data: Vec<f32>) -> Self {
        let nrows = indptr.len().saturating_sub(1);
        SparseRecords {
            matrix: CsMatI::new((nrows, ncols), indptr, indices, data),
        }
    }

    /// Row `i` as (column indices, values).
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let ip = self.matrix.indptr();
        let range = ip.outer_inds_sz(i);
        (
            &self.matrix.indices()[range.clone()],
            &self.matrix.data()[range],
        )
    }

    /// Positions of row `i`'s entries in `matrix.indices()` and `matrix.data()`.
    pub fn row_range(&self, i: usize) -> std::ops::Range<usize> {
        self.matrix.indptr().outer_inds_sz(i)
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.matrix.rows()
    }

    /// Number of columns (vocabulary size).
    pub fn ncols(&self) -> usize {
        self.matrix.cols()
    }

    /// Stored non-zeros.
    pub fn nnz(&self) -> usize {
        self.matrix.nnz()
    }

    /// A new matrix with the rows at `idx`, in that order (for folds and splits).
    pub fn select_rows(&self, idx: &[usize]) -> SparseRecords {
        let mut indptr = Vec::with_capacity(idx.len() + 1);
        indptr.push(0);
        let total: usize = idx.iter().map(|&i| self.row(i).0.len()).sum();
        let mut indices = Vec::with_capacity(total);
        let mut data = Vec::with_capacity(total);
        for &i in idx {
            let (ix, v) = self.row(i);
            indices.extend_from_slice(ix);
            data.extend_from_slice(v);
            indptr.push(indices.len());
        }
        SparseRecords::from_csr(self.ncols(), indptr, indices, data)
    }
}

impl Records for SparseRecords {
    type Elem = f32;

    fn nsamples(&self) -> usize {
        self.nrows()
    }

    fn nfeatures(&self) -> usize {
        self.ncols()
    }
}
