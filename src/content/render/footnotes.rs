//! Per-article footnote ids (`fn-{prefix}-{label}`), so two articles shown side by side in a
//! reader never collide, and the class names renderers give footnotes.

/// What the footnote classes of Markdown renderers start with.
pub(super) const FOOTNOTE_CLASS: &str = "footnote";

/// `fn-{encoded prefix}-`: every footnote id of this article starts with it.
pub(super) fn footnote_id_start(prefix: &str) -> String {
    let mut s = String::from("fn-");
    encode_id_part(prefix, &mut s);
    s.push('-');
    s
}

pub(super) fn footnote_id(start: &str, label: &str) -> String {
    // Labels match case-insensitively with collapsed whitespace (CommonMark).
    let normalized = label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut s = String::with_capacity(start.len() + normalized.len());
    s.push_str(start);
    encode_id_part(&normalized, &mut s);
    s
}

/// Injective, URL-fragment-safe encoding: ASCII alphanumerics and `-` are
/// kept, every other byte becomes `_XX`. Keeps `id` and the (percent-encoded
/// by URL joining) `href="#…"` identical.
fn encode_id_part(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push('_');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xF));
        }
    }
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{base, md};
    use super::super::{render_body, BodyKind};

    #[test]
    fn footnote_ids_prefixed_and_matching() {
        let r = md("One[^a] two[^Big Note].\n\n[^a]: First.\n[^big note]: Second.\n");
        let c = &r.content_html;
        assert!(
            c.contains("href=\"https://example.com/posts/hello/#fn-hello-a\""),
            "{c}"
        );
        assert!(c.contains("id=\"fn-hello-a\""), "{c}");
        assert!(
            c.contains("href=\"https://example.com/posts/hello/#fn-hello-big_20note\""),
            "{c}"
        );
        assert!(c.contains("id=\"fn-hello-big_20note\""), "{c}");
        assert!(!c.contains("id=\"a\""), "{c}");
        // Another article gets different ids.
        let other = render_body(
            "x[^a]\n\n[^a]: y\n",
            BodyKind::Markdown,
            None,
            &base(),
            "other",
            300,
        );
        assert!(other.content_html.contains("id=\"fn-other-a\""));
    }
}
