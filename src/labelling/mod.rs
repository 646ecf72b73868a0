//! Building labelled data: checks of a labelled set ([`checks`]), a labelling file that
//! grows one durable row at a time ([`labelfile`]), and what to label next ([`active`]).

pub mod active;
pub mod checks;
pub mod labelfile;
