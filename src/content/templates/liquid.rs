//! Liquid, as Jekyll runs it on a post: `{% tag … %}` and `{{ output }}`.
//!
//! Built in: `highlight` (a code block with its language), `raw` (its content as written),
//! `comment` (nothing), `post_url` and `link` (the target's permalink, guessed from its file
//! name, with a warning), `{{ site.* }}` from the configuration and `{{ page.* }}` from the
//! article; the common plugin tags `gist`, `youtube`, `vimeo`, themes' `include figure` and
//! `include video`, and Hexo's `asset_img` too. Any other tag is dropped with a warning; a paired one keeps what it encloses
//! (its `end…` tag goes quietly).

use super::shortcodes::{figure, iframe, link};
use super::{arg, code, code_block, end_tag_end, guess_permalink, split_args, Pass};
use crate::content::html::entities::escape_html;

/// `{% … %}` at `at`: where scanning goes on, or `None` to leave the `{` as text.
pub(super) fn tag(pass: &mut Pass<'_>, at: usize) -> Option<usize> {
    let Some(end) = pass.delimited(at, "{%", "%}") else {
        pass.warn(at, "`{%` is never closed by `%}`; left as text".to_string());
        return None;
    };
    pass.saw_liquid_tag = true;
    let src = pass.src;
    let inner = src[at + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
    let (name, args) = inner
        .split_once(char::is_whitespace)
        .map_or((inner, ""), |(n, a)| (n, a.trim()));
    match name {
        "highlight" => Some(paired(pass, at, end, "endhighlight", |pass, body| {
            let language = args.split_whitespace().next().unwrap_or("");
            let body = code::unescape(body);
            pass.replace(&code_block(language, &body));
        })),
        "raw" => Some(paired(pass, at, end, "endraw", |pass, body| {
            pass.replace(body)
        })),
        "comment" => Some(paired(pass, at, end, "endcomment", |pass, _| {
            pass.replace("")
        })),
        "post_url" | "link" => {
            let target = args.trim_matches(['"', '\'']);
            let url = if name == "link" && !is_post(target) {
                page_url(pass, target)
            } else {
                guess_permalink(pass.context, target)
            };
            match url {
                // A post: resolved against the real articles later (`site::links`).
                Some(url) if name == "post_url" || is_post(target) => {
                    pass.link_ref(at, target, &url);
                    pass.replace(&escape_html(&url));
                }
                Some(url) => {
                    pass.warn(
                        at,
                        format!("`{{% {name} {target} %}}` written as {url} (guessed from the file name and content.permalink)"),
                    );
                    pass.replace(&escape_html(&url));
                }
                None => {
                    pass.warn(
                        at,
                        format!("`{{% {name} {target} %}}` has no permalink; dropped"),
                    );
                    pass.replace("");
                }
            }
            Some(end)
        }
        "gist" => {
            let mut words = args.split_whitespace();
            let html = words
                .next()
                .and_then(|path| path.split_once('/'))
                .map(|(user, id)| {
                    link(
                        &format!("https://gist.github.com/{user}/{id}"),
                        &format!("Gist by {user}"),
                    )
                });
            Some(written_or_dropped(pass, at, end, name, html))
        }
        "youtube" | "vimeo" => {
            let html = args.split_whitespace().next().map(|id| video(name, id));
            Some(written_or_dropped(pass, at, end, name, html))
        }
        "include" => {
            let (file, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
            let include = file.trim_end_matches(".html");
            let args = split_args(rest);
            let html = match include {
                "figure" | "image" => figure(&args),
                "video" | "youtube" | "vimeo" => {
                    let provider = arg(&args, "provider", None).unwrap_or(include);
                    arg(&args, "id", Some(0)).map(|id| video(provider, id))
                }
                _ => None,
            };
            if html.is_none() {
                pass.warn(
                    at,
                    format!("`{{% include {file} %}}` is not supported; dropped"),
                );
                pass.replace("");
                return Some(end);
            }
            Some(written_or_dropped(pass, at, end, name, html))
        }
        // Hexo's (Liquid-like) image of the post's asset folder, which is its permalink.
        "asset_img" => {
            let mut words = args.split_whitespace();
            let src = words.next().unwrap_or("");
            let alt: Vec<&str> = words.collect();
            pass.replace(&format!(
                "<img src=\"{}\" alt=\"{}\">",
                escape_html(src),
                escape_html(alt.join(" ").trim_matches(['"', '\'']))
            ));
            Some(end)
        }
        _ if is_closer(name) => {
            pass.replace("");
            Some(end)
        }
        _ => {
            pass.warn(
                at,
                format!("Liquid tag `{{% {name} %}}` is not supported; dropped (what it encloses is kept)"),
            );
            pass.replace("");
            Some(end)
        }
    }
}

/// A paired tag opened at `at` (ending at `open_end`): `write` gets the body up to its
/// `closer`; without a closer, only the opening tag is dropped.
fn paired(
    pass: &mut Pass<'_>,
    at: usize,
    open_end: usize,
    closer: &str,
    write: impl FnOnce(&mut Pass<'_>, &str),
) -> usize {
    let src = pass.src;
    let key = format!("{{%{closer}");
    let found = pass.find_with(&key, open_end, |src, from| find_tag(src, closer, from));
    match found {
        Some(close_at) => {
            let close_end = end_tag_end(src, close_at, "%}").unwrap_or(close_at + 2);
            write(pass, &src[open_end..close_at]);
            close_end
        }
        None => {
            pass.warn(
                at,
                format!(
                    "`{{% {} %}}` is never closed by `{{% {closer} %}}`; the tag is dropped",
                    closer.trim_start_matches("end")
                ),
            );
            pass.replace("");
            open_end
        }
    }
}

/// The first `{% name %}` tag at or after `from`.
fn find_tag(src: &str, name: &str, mut from: usize) -> Option<usize> {
    while let Some(i) = src.get(from..)?.find("{%").map(|i| from + i) {
        let inner = src[i + 2..].trim_start_matches(|c: char| c == '-' || c.is_whitespace());
        if inner.starts_with(name)
            && inner[name.len()..].starts_with(|c: char| c == '-' || c == '%' || c.is_whitespace())
            && end_tag_end(src, i, "%}").is_some()
        {
            return Some(i);
        }
        from = i + 2;
    }
    None
}

fn is_closer(name: &str) -> bool {
    name.starts_with("end") || matches!(name, "else" | "elsif" | "when")
}

/// Whether a `{% link %}` target is a post (its permalink follows the pattern).
fn is_post(target: &str) -> bool {
    target.starts_with("_posts/") || target.contains("/_posts/")
}

/// A page's URL as Jekyll writes it by default: `about.md` → `/about.html`, and a
/// collection's document under the collection's name: `_docs/x.md` → `/docs/x.html`.
fn page_url(pass: &Pass<'_>, target: &str) -> Option<String> {
    let target = target.trim_start_matches('/');
    let target = target.strip_prefix('_').unwrap_or(target);
    let page = [".md", ".markdown"]
        .iter()
        .find_map(|ext| target.strip_suffix(ext))
        .map_or_else(|| target.to_string(), |stem| format!("{stem}.html"));
    pass.context
        .config
        .site
        .base_url
        .join(&page)
        .ok()
        .map(String::from)
}

/// `{{ … }}` at `at`: where scanning goes on, or `None` to leave it as text (it is not a
/// Liquid expression: Hugo's `{{ .Title }}` in prose is shown as written by Hugo too).
pub(super) fn output(pass: &mut Pass<'_>, at: usize) -> Option<usize> {
    let end = pass.delimited(at, "{{", "}}")?;
    let src = pass.src;
    let inner = src[at + 2..end - 2].trim_matches(|c: char| c == '-' || c.is_whitespace());
    let mut parts = inner.split('|').map(str::trim);
    let expression = parts.next().unwrap_or("");
    let is_liquid = expression
        .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '"' || c == '\'');
    // A bare word (`{{ issue }}`) is Liquid only in a post that uses Liquid tags (a loop's
    // variable); elsewhere it is prose, like Vim's fold marks `{{{ and }}}`.
    let bare_word = !expression.contains(['.', '"', '\'', '|']) && !inner.contains('|');
    if !is_liquid || (bare_word && !pass.saw_liquid_tag) {
        return None;
    }
    let value = if let Some(text) = quoted(expression) {
        Some(text.to_string())
    } else if let Some(key) = expression.strip_prefix("site.") {
        site_value(pass, key)
    } else if let Some(key) = expression.strip_prefix("page.") {
        page_value(pass, key)
    } else {
        None
    };
    let Some(mut value) = value else {
        pass.warn(
            at,
            format!("`{{{{ {expression} }}}}` has no value here; dropped"),
        );
        pass.replace("");
        return Some(end);
    };
    let base = &pass.context.config.site.base_url;
    for filter in parts {
        match filter {
            "relative_url" if value.starts_with('/') => {
                value = format!("{}{value}", base.path().trim_end_matches('/'));
            }
            "absolute_url" | "relative_url" => {
                if let Ok(url) = base.join(value.trim_start_matches('/')) {
                    value = url.to_string();
                }
            }
            _ => pass.warn(at, format!("Liquid filter `{filter}` is not applied")),
        }
    }
    pass.replace(&escape_html(&value));
    Some(end)
}

fn quoted(text: &str) -> Option<&str> {
    ['"', '\'']
        .iter()
        .find_map(|q| text.strip_prefix(*q).and_then(|t| t.strip_suffix(*q)))
}

/// `site.*` from the configuration (else from the site's own configuration file), in Jekyll's meaning (`url` is the origin, `baseurl` the
/// path under it, without the final `/`).
fn site_value(pass: &Pass<'_>, key: &str) -> Option<String> {
    let site = &pass.context.config.site;
    Some(match key {
        "url" => site.base_url.origin().ascii_serialization(),
        "baseurl" | "base_url" => site.base_url.path().trim_end_matches('/').to_string(),
        "title" | "name" => site.title.clone(),
        "description" | "tagline" => site.description.clone(),
        "author" | "author.name" => site.author.name.clone(),
        "lang" | "language" => site.language.clone(),
        _ => return super::site_file::site_value(&pass.context.config.content.dir, key),
    })
}

fn page_value(pass: &Pass<'_>, key: &str) -> Option<String> {
    let context = pass.context;
    Some(match key {
        "title" => context.title.to_string(),
        "url" | "permalink" => context.permalink.path().to_string(),
        _ => return None,
    })
}

/// A YouTube or Vimeo embed, an `<iframe>` the render step turns into a link.
fn video(provider: &str, id: &str) -> String {
    let prefix = if provider == "vimeo" {
        "https://player.vimeo.com/video/"
    } else {
        "https://www.youtube.com/embed/"
    };
    iframe(&[], prefix, id)
}

/// Writes `html`, or drops the tag with a warning when it lacked what it shows.
fn written_or_dropped(
    pass: &mut Pass<'_>,
    at: usize,
    end: usize,
    name: &str,
    html: Option<String>,
) -> usize {
    match html {
        Some(html) => pass.replace(&html),
        None => {
            pass.warn(
                at,
                format!("`{{% {name} %}}` is missing what it shows; dropped"),
            );
            pass.replace("");
        }
    }
    end
}
