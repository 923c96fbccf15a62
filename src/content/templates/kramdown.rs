//! kramdown's attribute lists and extensions: `{: .class}`, `{:toc}`, `{::options … /}`,
//! `{::comment}…{:/comment}` (gone with what it holds) and other `{::name}…{:/name}` (their
//! content kept). None has a meaning a feed reader could show; they go without a warning,
//! and `{:toc}` takes the one-item list it marks with it (kramdown puts the table there).

use super::Pass;

/// `{:` at `at`: where scanning goes on, or `None` to leave the `{` as text.
pub(super) fn attribute_list(pass: &mut Pass<'_>, at: usize) -> Option<usize> {
    let src = pass.src;
    let after = src.as_bytes().get(at + 2).copied()?;
    if !(after.is_ascii_alphabetic() || matches!(after, b' ' | b'.' | b'#' | b':' | b'/')) {
        return None;
    }
    let end = pass.delimited(at, "{:", "}")?;
    let inner = &src[at + 2..end - 1];
    if inner.contains('\n') {
        return None;
    }
    if let Some(extension) = inner.strip_prefix(':') {
        let self_closing = extension.trim_end().ends_with('/');
        let name = extension
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        pass.replace("");
        if name == "comment" && !self_closing {
            let key = "{:/comment";
            let close = pass.find_with(key, end, |src, from| {
                let rest = src.get(from..)?;
                ["{:/comment}", "{:/}"]
                    .iter()
                    .filter_map(|c| rest.find(c))
                    .min()
                    .map(|i| from + i)
            });
            if let Some(close_at) = close {
                return Some(
                    src[close_at..]
                        .find('}')
                        .map_or(src.len(), |e| close_at + e + 1),
                );
            }
        }
        return Some(end);
    }
    if inner.trim() == "toc" {
        drop_toc_marker_list(&mut pass.out);
    }
    pass.replace("");
    Some(end)
}

/// Removes the last line written when it is a one-item list (`* TOC`, `1. x`).
fn drop_toc_marker_list(out: &mut String) {
    let body = out.strip_suffix('\n').unwrap_or(out);
    let start = body.rfind('\n').map_or(0, |i| i + 1);
    let line = body[start..].trim_start();
    if line.starts_with(['*', '-', '+']) || line.starts_with(|c: char| c.is_ascii_digit()) {
        let before = &body[..start.saturating_sub(1)];
        let previous = before.rsplit('\n').next().unwrap_or("");
        if start == 0
            || previous.trim().is_empty()
            || !previous.trim_start().starts_with(['*', '-', '+'])
        {
            out.truncate(start);
        }
    }
}
