//! live update tests
