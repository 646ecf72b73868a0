//! Input: articles from files, directories and stdin ([`articles`]); labelled CSV or JSONL
//! and tables read by column name ([`labelled`]); one text per line ([`lines`]). Every
//! problem names its file and line.

pub mod articles;
pub mod labelled;
pub mod lines;
