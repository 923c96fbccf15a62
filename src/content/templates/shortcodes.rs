//! Hugo shortcodes: `{{< name args >}}` and `{{% name args %}}`, self-closing (`/>}}`) or
//! paired (`{{< /name >}}`), and their escape form `{{</* … */>}}` written as `{{< … >}}`.
//!
//! Built in: `figure` (a `<figure>` with its image and caption), `youtube` and `vimeo` (an
//! `<iframe>`, which rendering turns into a link as for any embed), `x`/`tweet`, `gist` and
//! `instagram` (a link to the post), the FixIt/LoveIt themes' `link`, `ref`/`relref` (the target's permalink, guessed from
//! its path, with a warning) and `highlight` (a code block). Any other shortcode is
//! dropped with a warning; a paired one keeps what it encloses.

use super::{arg, code_block, end_tag_end, guess_permalink, split_args, Pass};
use crate::content::html::entities::escape_html;

/// A shortcode at `at`: where scanning goes on, or `None` to leave the `{` as text.
pub(super) fn shortcode(pass: &mut Pass<'_>, at: usize) -> Option<usize> {
    let src = pass.src;
    let mark = &src[at + 2..at + 3];
    let close = if mark == "<" { ">}}" } else { "%}}" };
    if src[at + 3..].starts_with("/*") {
        let escaped_close = if mark == "<" { "*/>}}" } else { "*/%}}" };
        let end = pass.delimited(at, "{{", escaped_close)?;
        // `{{</*/>}}`: the closer overlaps the opener.
        let inner = src.get(at + 5..end - 5).unwrap_or("");
        pass.replace(&format!("{{{{{mark}{inner}{}}}}}", &close[..1]));
        return Some(end);
    }
    let Some(end) = pass.delimited(at, "{{", close) else {
        pass.warn(
            at,
            format!("`{{{{{mark}` is never closed by `{close}`; left as text"),
        );
        return None;
    };
    let inner = src.get(at + 3..end - 3).unwrap_or("").trim();
    let inner = inner.strip_suffix('/').unwrap_or(inner).trim_end();
    if inner.starts_with('/') {
        pass.replace("");
        return Some(end);
    }
    let (name, rest) = inner
        .split_once(char::is_whitespace)
        .map_or((inner, ""), |(n, r)| (n, r));
    let args = split_args(rest);
    let html = match name {
        "figure" => figure(&args),
        "youtube" => {
            arg(&args, "id", Some(0)).map(|id| iframe(&args, "https://www.youtube.com/embed/", id))
        }
        "vimeo" => {
            arg(&args, "id", Some(0)).map(|id| iframe(&args, "https://player.vimeo.com/video/", id))
        }
        "x" | "tweet" | "twitter" => post_link(&args),
        "gist" => match (arg(&args, "user", Some(0)), arg(&args, "id", Some(1))) {
            (Some(user), Some(id)) => Some(link(
                &format!("https://gist.github.com/{user}/{id}"),
                &format!("Gist by {user}"),
            )),
            _ => None,
        },
        // The FixIt/LoVeIt themes' link, common on sites built with them.
        "link" => arg(&args, "href", Some(0))
            .map(|href| link(href, arg(&args, "content", Some(1)).unwrap_or(href))),
        "instagram" => arg(&args, "id", Some(0)).map(|id| {
            link(
                &format!("https://www.instagram.com/p/{id}/"),
                "Post on Instagram",
            )
        }),
        "ref" | "relref" => {
            let target = arg(&args, "path", Some(0)).unwrap_or("");
            let url = guess_permalink(pass.context, target);
            // Resolved against the real articles later (`site::links`).
            if let Some(url) = &url {
                pass.link_ref(at, target, url);
            }
            url.map(|u| escape_html(&u).into_owned())
        }
        "highlight" => return Some(highlight(pass, at, end, mark, &args)),
        // A site's own image shortcode (`{{% img src="/media/x.png" %}}`): its image is
        // the nearest thing to what the site showed.
        _ if arg(&args, "src", None).is_some_and(is_image_path) => {
            pass.warn(
                at,
                format!("shortcode `{name}` is not a Hugo built-in; shown as the image of its `src` (a guess)"),
            );
            figure(&args)
        }
        _ => {
            pass.warn(
                at,
                format!("shortcode `{name}` is not supported; dropped (what it encloses is kept)"),
            );
            Some(String::new())
        }
    };
    match html {
        Some(html) => pass.replace(&html),
        None => {
            pass.warn(
                at,
                format!("shortcode `{name}` is missing what it shows; dropped"),
            );
            pass.replace("");
        }
    }
    Some(end)
}

pub(super) fn figure(args: &[(Option<&str>, &str)]) -> Option<String> {
    // `image_path` and `url`: how Jekyll themes' figure includes name it.
    let src = arg(args, "src", Some(0))
        .or_else(|| arg(args, "image_path", None))
        .or_else(|| arg(args, "url", None))?;
    let attr = |name: &str| {
        arg(args, name, None)
            .filter(|v| !v.is_empty())
            .map(|v| format!(" {name}=\"{}\"", escape_html(v)))
            .unwrap_or_default()
    };
    let mut html = String::from("<figure>");
    let link = arg(args, "link", None);
    if let Some(link) = link {
        html.push_str(&format!("<a href=\"{}\">", escape_html(link)));
    }
    html.push_str(&format!(
        "<img src=\"{}\"{}{}{}{}>",
        escape_html(src),
        attr("alt"),
        attr("width"),
        attr("height"),
        attr("class"),
    ));
    if link.is_some() {
        html.push_str("</a>");
    }
    let title = arg(args, "title", None).filter(|t| !t.is_empty());
    let caption = arg(args, "caption", None).filter(|t| !t.is_empty());
    if title.is_some() || caption.is_some() {
        html.push_str("<figcaption>");
        if let Some(title) = title {
            html.push_str(&format!("<h4>{}</h4>", escape_html(title)));
        }
        if let Some(caption) = caption {
            html.push_str(&format!("<p>{}</p>", escape_html(caption)));
        }
        html.push_str("</figcaption>");
    }
    html.push_str("</figure>");
    Some(html)
}

pub(super) fn iframe(args: &[(Option<&str>, &str)], prefix: &str, id: &str) -> String {
    let title = arg(args, "title", None).unwrap_or("Video");
    format!(
        "<iframe src=\"{prefix}{}\" title=\"{}\"></iframe>",
        escape_html(id),
        escape_html(title)
    )
}

fn post_link(args: &[(Option<&str>, &str)]) -> Option<String> {
    let user = arg(args, "user", None);
    let id = arg(args, "id", Some(0))?;
    Some(match user {
        Some(user) => link(
            &format!("https://x.com/{user}/status/{id}"),
            &format!("Post by @{user} on X"),
        ),
        None => link(&format!("https://x.com/i/status/{id}"), "Post on X"),
    })
}

pub(super) fn link(href: &str, text: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape_html(href),
        escape_html(text)
    )
}

/// `{{< highlight go >}}…{{< /highlight >}}`; without its closer only the opener goes.
fn highlight(
    pass: &mut Pass<'_>,
    at: usize,
    open_end: usize,
    mark: &str,
    args: &[(Option<&str>, &str)],
) -> usize {
    let language = arg(args, "lang", Some(0)).unwrap_or("").to_string();
    let src = pass.src;
    let key = format!("{{{{{mark}/highlight");
    let close = if mark == "<" { ">}}" } else { "%}}" };
    let opener = format!("{{{{{mark}");
    let found = pass.find_with(&key, open_end, |src, mut from| {
        while let Some(i) = src.get(from..)?.find(&opener).map(|i| from + i) {
            let inner = src[i + 3..].trim_start();
            if inner
                .strip_prefix('/')
                .is_some_and(|r| r.trim_start().starts_with("highlight"))
                && end_tag_end(src, i, close).is_some()
            {
                return Some(i);
            }
            from = i + 3;
        }
        None
    });
    match found {
        Some(close_at) => {
            let close_end = end_tag_end(src, close_at, close).unwrap_or(close_at + 3);
            pass.replace(&code_block(&language, &src[open_end..close_at]));
            close_end
        }
        None => {
            pass.warn(
                at,
                "shortcode `highlight` is never closed; the tag is dropped".to_string(),
            );
            pass.replace("");
            open_end
        }
    }
}

fn is_image_path(src: &str) -> bool {
    let path = src
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"]
        .iter()
        .any(|ext| path.ends_with(ext))
}
