//! The template pass (SPEC §10): a body written for Jekyll (Liquid), Hugo (shortcodes) or
//! kramdown (attribute lists) is rewritten, before Markdown, into what the generator would
//! have shown: built-ins become HTML, links become permalinks, and what cannot be
//! translated is dropped with a warning at its `path:line:column`.
//!
//! One left-to-right pass; code blocks, code spans and `<pre>`/`<code>` elements are copied
//! as written (only the escape markers a generator always removed there, `{% raw %}` and
//! `{{</* */>}}`, are taken out). Every forward search for a closer is remembered
//! ([`Pass::find_from`]), so the pass stays linear whatever the input; a construct with no
//! closer is dropped or left as text on its own, never taking the rest of the body with it.

mod args;
mod code;
mod kramdown;
mod liquid;
mod permalinks;
mod shortcodes;
mod site_file;

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use args::{arg, split_args};
use code::code_block;
use permalinks::guess_permalink;
pub(crate) use permalinks::LinkRef;

use crate::config::Config;
use crate::content::article::Article;
use crate::content::render::BodyKind;
use crate::diag::Diagnostic;

/// At most this many warnings a file; the rest are counted in one last warning.
const MAX_WARNINGS: usize = 50;

/// At most this many links to other articles a file has resolved (`site::links`); the rest
/// keep their guess, with a warning. A bound on what one file costs each publish.
const MAX_LINK_REFS: usize = 1000;

/// What the pass needs to know about the site and the article.
pub(super) struct Context<'a> {
    pub(super) config: &'a Config,
    /// The article's path relative to the content root.
    pub(super) source: &'a str,
    pub(super) title: &'a str,
    pub(super) permalink: &'a url::Url,
    pub(super) day: NaiveDate,
    pub(super) kind: BodyKind,
}

/// Runs the pass on an article's body (`body`, a slice of `file_text`): the article keeps
/// the rewritten body when it keeps one, and the caller gets it to check its rendered size.
pub(crate) fn expand_article_body<'b>(
    article: &mut Article,
    body: &'b str,
    file_text: &str,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Cow<'b, str> {
    let day = article
        .date
        .with_timezone(&config.site.timezone)
        .date_naive();
    let context = Context {
        config,
        source: &article.source,
        title: &article.title,
        permalink: &article.permalink,
        day,
        kind: article.body_kind,
    };
    let (expanded, link_refs) = expand(body, file_text, &context, diagnostics);
    article.link_refs = link_refs;
    if article.body_loaded {
        if let Cow::Owned(text) = &expanded {
            article.body = Arc::from(text.as_str());
        }
    }
    expanded
}

/// Rewrites `body` (a slice of `file_text`, the whole file as parsed) and reports each drop
/// or guess as a warning located in the file. Borrowed when there is nothing to rewrite.
fn expand<'b>(
    body: &'b str,
    file_text: &str,
    context: &Context<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Cow<'b, str>, Vec<LinkRef>) {
    if !may_hold_templates(body) {
        return (Cow::Borrowed(body), Vec::new());
    }
    let mut pass = Pass::new(body, context);
    pass.run();
    let body_start = (body.as_ptr() as usize).saturating_sub(file_text.as_ptr() as usize);
    locate_warnings(
        &pass.warnings,
        pass.more_warnings,
        file_text,
        body_start,
        context.source,
        diagnostics,
    );
    let offsets: Vec<usize> = pass.link_refs.iter().map(|(at, _, _)| *at).collect();
    let link_refs = locate(&offsets, file_text, body_start)
        .into_iter()
        .zip(std::mem::take(&mut pass.link_refs))
        .map(|((line, column), (_, target, guess))| LinkRef {
            target,
            guess,
            line,
            column,
        })
        .collect();
    let text = if pass.changed {
        Cow::Owned(pass.out)
    } else {
        Cow::Borrowed(body)
    };
    (text, link_refs)
}

/// A quick look for `{%`, `{{` or `{:`: most bodies have none and are left alone.
fn may_hold_templates(body: &str) -> bool {
    body.match_indices('{')
        .any(|(i, _)| matches!(body.as_bytes().get(i + 1), Some(b'%' | b'{' | b':')))
}

/// One run of the pass over a body.
pub(super) struct Pass<'a> {
    pub(super) src: &'a str,
    pub(super) out: String,
    pub(super) context: &'a Context<'a>,
    /// Whether `out` differs from `src`.
    pub(super) changed: bool,
    /// Whether a Liquid tag (`{% … %}`) came before: the body is written for Liquid.
    pub(super) saw_liquid_tag: bool,
    warnings: Vec<(usize, String)>,
    more_warnings: usize,
    /// Links to other articles by file name, at their body offsets: (offset, target, guess).
    link_refs: Vec<(usize, String, String)>,
    /// For each needle searched for: from where, and what was found (see `find_from`).
    found: HashMap<String, (usize, Option<usize>)>,
    code: code::CodeSpans,
}

impl<'a> Pass<'a> {
    fn new(src: &'a str, context: &'a Context<'a>) -> Self {
        Pass {
            src,
            out: String::with_capacity(src.len() + 64),
            context,
            changed: false,
            saw_liquid_tag: false,
            warnings: Vec::new(),
            more_warnings: 0,
            link_refs: Vec::new(),
            found: HashMap::new(),
            code: code::CodeSpans::new(src),
        }
    }

    /// A warning at byte `at` of the body.
    pub(super) fn warn(&mut self, at: usize, message: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push((at, message));
        } else {
            self.more_warnings += 1;
        }
    }

    /// A link to another article by its file name (`post_url`, `ref`), written as `guess`:
    /// resolved against the real articles after parsing (`site::links`).
    pub(super) fn link_ref(&mut self, at: usize, target: &str, guess: &str) {
        if self.link_refs.len() < MAX_LINK_REFS {
            self.link_refs
                .push((at, target.to_string(), guess.to_string()));
        } else {
            self.warn(
                at,
                format!("link to `{target}` written as {guess} (guessed: more than {MAX_LINK_REFS} links to other articles in this file are not resolved)"),
            );
        }
    }

    /// Where `needle` next occurs at or after `from`. Remembers each answer: a later search
    /// from a position before the occurrence found gets the same answer without reading the
    /// text again, so all searches for one needle read the body at most once.
    pub(super) fn find_from(&mut self, needle: &str, from: usize) -> Option<usize> {
        if let Some(&(searched_from, found)) = self.found.get(needle) {
            if searched_from <= from && found.is_none_or(|at| at >= from) {
                return found;
            }
        }
        let found = self
            .src
            .get(from..)
            .and_then(|rest| rest.find(needle))
            .map(|i| from + i);
        self.found.insert(needle.to_string(), (from, found));
        found
    }

    /// Like [`Pass::find_from`] for a search that is not one needle (`search` gives the
    /// first match at or after its position); `key` names it.
    pub(super) fn find_with(
        &mut self,
        key: &str,
        from: usize,
        search: impl Fn(&str, usize) -> Option<usize>,
    ) -> Option<usize> {
        if let Some(&(searched_from, found)) = self.found.get(key) {
            if searched_from <= from && found.is_none_or(|at| at >= from) {
                return found;
            }
        }
        let found = search(self.src, from);
        self.found.insert(key.to_string(), (from, found));
        found
    }

    /// The end (after its closer) of a construct opened at `at` with `open` and closed by
    /// `close`, when it is well formed: closed before any other opener and before a blank
    /// line. Otherwise `None` (the caller leaves it as text).
    pub(super) fn delimited(&mut self, at: usize, open: &str, close: &str) -> Option<usize> {
        let inner = at + open.len();
        let end = self.find_from(close, inner)?;
        let reopened = self.find_from(open, inner).is_some_and(|o| o < end);
        let blank = self.find_from("\n\n", inner).is_some_and(|b| b < end);
        (!reopened && !blank).then_some(end + close.len())
    }

    /// Writes what replaces the text just read.
    pub(super) fn replace(&mut self, text: &str) {
        self.out.push_str(text);
        self.changed = true;
    }

    /// The scan: line starts decide code blocks, the rest goes character by character.
    fn run(&mut self) {
        let src = self.src;
        let mut lines = code::Blocks::new(self.context.kind);
        let mut i = 0;
        while i < src.len() {
            let line_start = i == 0 || src.as_bytes()[i - 1] == b'\n';
            if line_start {
                if let Some(end) = lines.code_block_end(src, i) {
                    self.copy_code(i, end);
                    i = end;
                    continue;
                }
            }
            let Some(rel) = src[i..].find(['{', '`', '<', '\n']) else {
                self.out.push_str(&src[i..]);
                break;
            };
            let at = i + rel;
            self.out.push_str(&src[i..at]);
            i = match src.as_bytes()[at] {
                b'\n' => {
                    self.out.push('\n');
                    at + 1
                }
                b'`' => match self.code.span_end(src, at) {
                    Some(end) => {
                        self.copy_code(at, end);
                        end
                    }
                    None => {
                        let run = src[at..].bytes().take_while(|&b| b == b'`').count();
                        self.out.push_str(&src[at..at + run]);
                        at + run
                    }
                },
                b'<' => match self.html_code_end(at) {
                    Some(end) => {
                        self.copy_code(at, end);
                        end
                    }
                    None => {
                        self.out.push('<');
                        at + 1
                    }
                },
                _ => self.construct(at),
            };
        }
    }

    /// A construct starting with `{` at `at`; returns where scanning goes on.
    fn construct(&mut self, at: usize) -> usize {
        let rest = &self.src[at..];
        let end = if rest.starts_with("{{<") || rest.starts_with("{{%") {
            shortcodes::shortcode(self, at)
        } else if rest.starts_with("{%") {
            liquid::tag(self, at)
        } else if rest.starts_with("{{") {
            liquid::output(self, at)
        } else if rest.starts_with("{:") {
            kramdown::attribute_list(self, at)
        } else {
            None
        };
        end.unwrap_or_else(|| {
            self.out.push('{');
            at + 1
        })
    }

    /// The end of a `<pre>` or `<code>` element opened at `at`, when it is closed.
    fn html_code_end(&mut self, at: usize) -> Option<usize> {
        let rest = &self.src.as_bytes()[at..];
        for (open, close) in [("<pre", "</pre>"), ("<code", "</code>")] {
            if rest.len() > open.len()
                && rest[..open.len()].eq_ignore_ascii_case(open.as_bytes())
                && matches!(rest[open.len()], b'>' | b' ' | b'\t' | b'\n' | b'\r')
            {
                return self.find_from(close, at).map(|end| end + close.len());
            }
        }
        None
    }

    /// Copies code as written, but for the escape markers the generators always removed
    /// there: `{% raw %}`/`{% endraw %}` and the comment marks of `{{</* … */>}}`.
    fn copy_code(&mut self, start: usize, end: usize) {
        let text = &self.src[start..end];
        let unescaped = code::unescape(text);
        if let Cow::Owned(_) = unescaped {
            self.changed = true;
        }
        self.out.push_str(&unescaped);
    }
}

/// The end of `close` when it comes within a short end tag's length of `at` (`{% endraw %}`,
/// `{{< /highlight >}}`): an end tag without its own closer is no end tag, and a bounded look
/// keeps searches for end tags linear.
pub(super) fn end_tag_end(src: &str, at: usize, close: &str) -> Option<usize> {
    const END_TAG_MAX: usize = 64;
    let window = src.as_bytes().get(at..)?;
    let window = &window[..window.len().min(END_TAG_MAX)];
    window
        .windows(close.len())
        .position(|w| w == close.as_bytes())
        .map(|p| at + p + close.len())
}

/// Body offsets (in order) as file lines and columns, in one walk.
fn locate(offsets: &[usize], file_text: &str, body_start: usize) -> Vec<(usize, usize)> {
    let mut line = 1;
    let mut line_start = 0;
    let mut walked = 0;
    let mut out = Vec::with_capacity(offsets.len());
    for at in offsets {
        let offset = (body_start + at).min(file_text.len());
        if offset >= walked {
            for (i, b) in file_text.as_bytes()[walked..offset].iter().enumerate() {
                if *b == b'\n' {
                    line += 1;
                    line_start = walked + i + 1;
                }
            }
            walked = offset;
        }
        let column = file_text
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        out.push((line, column));
    }
    out
}

/// Turns body offsets into file lines and columns in one walk (warnings come in order).
fn locate_warnings(
    warnings: &[(usize, String)],
    more: usize,
    file_text: &str,
    body_start: usize,
    source: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path = Path::new(source);
    let offsets: Vec<usize> = warnings.iter().map(|(at, _)| *at).collect();
    let mut last = (1, 1);
    for ((line, column), (_, message)) in locate(&offsets, file_text, body_start)
        .into_iter()
        .zip(warnings)
    {
        last = (line, column);
        diagnostics.push(Diagnostic::warning(path, line, column, message.clone()));
    }
    if more > 0 {
        diagnostics.push(Diagnostic::warning(
            path,
            last.0,
            last.1,
            format!("{more} more template constructs dropped or guessed in this file"),
        ));
    }
}

#[cfg(test)]
mod tests;
