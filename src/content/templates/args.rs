//! Arguments of a tag or shortcode as written: positional (`name`, `"quoted words"`) and
//! named (`key=value`, `key="value"`).

/// Arguments as written: `name`, `"quoted words"`, `key=value`, `key="value"`.
pub(super) fn split_args(text: &str) -> Vec<(Option<&str>, &str)> {
    let mut args = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let key_end =
            rest.find(|c: char| c.is_whitespace() || c == '=' || c == '"' || c == '\'' || c == '`');
        let (key, after) = match key_end {
            Some(k) if rest[k..].starts_with('=') && k > 0 => (Some(&rest[..k]), &rest[k + 1..]),
            _ => (None, rest),
        };
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'' | '`')) => match after[1..].find(q) {
                Some(e) => (&after[1..1 + e], &after[e + 2..]),
                None => (&after[1..], ""),
            },
            _ => {
                let e = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..e], &after[e..])
            }
        };
        args.push((key, value));
        rest = next.trim_start();
    }
    args
}

/// The value of `key`, else the positional argument `position`.
pub(super) fn arg<'t>(
    args: &[(Option<&str>, &'t str)],
    key: &str,
    position: Option<usize>,
) -> Option<&'t str> {
    args.iter()
        .find(|(k, _)| *k == Some(key))
        .map(|(_, v)| *v)
        .or_else(|| {
            position.and_then(|p| {
                args.iter()
                    .filter(|(k, _)| k.is_none())
                    .nth(p)
                    .map(|(_, v)| *v)
            })
        })
}
