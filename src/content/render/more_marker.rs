//! The `<!-- more -->` marker (or Docusaurus's `<!-- truncate -->`): the line that ends the
//! author's chosen summary.

/// A line that is exactly `<!-- more -->` or `<!-- truncate -->` (surrounding whitespace
/// allowed, the word case-insensitive, any spacing inside the comment).
pub(super) fn is_more_marker(line: &str) -> bool {
    line.trim()
        .strip_prefix("<!--")
        .and_then(|s| s.strip_suffix("-->"))
        .is_some_and(|inner| {
            // Docusaurus writes `<!-- truncate -->`.
            let inner = inner.trim();
            inner.eq_ignore_ascii_case("more") || inner.eq_ignore_ascii_case("truncate")
        })
}

/// Byte offset of the first `<!-- more -->` line in an HTML body.
pub(super) fn find_more_line(body: &str) -> Option<usize> {
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        if is_more_marker(line) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_support::md;

    #[test]
    fn more_marker_in_code_block_ignored() {
        let r = md("First para.\n\n```\n<!-- more -->\n```\n\nLast.\n");
        // No split: the automatic summary takes both paragraphs.
        assert_eq!(r.summary_html, "First para. Last.");
        assert!(
            r.content_html.contains("&lt;!-- more --&gt;"),
            "{}",
            r.content_html
        );
    }

    #[test]
    fn docusaurus_truncate_marker_ends_the_summary() {
        let r = md("Simply add Markdown files.\n\n<!--truncate-->\n\n:::tip\nUse React.\n:::\n");
        assert!(
            r.summary_html.contains("Simply add Markdown files."),
            "{}",
            r.summary_html
        );
        assert!(!r.summary_html.contains("React"), "{}", r.summary_html);
    }
}
