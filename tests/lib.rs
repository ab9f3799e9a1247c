//! see tests/*.rs
