//! HTTP tests (filled by the HTTP issue)
