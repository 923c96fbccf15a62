//! Markdown → HTML with pulldown-cmark: CommonMark plus tables, strikethrough, footnotes,
//! heading attributes, task lists and math kept as written. One pass over the events also
//! gives footnotes their per-article ids ([`super::footnotes`]), links bare URLs
//! ([`super::links`]) and finds the `<!-- more -->` marker ([`super::more_marker`]).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, TextMergeWithOffset};

use super::bound::{BoundedString, TooLarge};
use super::footnotes::footnote_id;
use super::links::{ascii_url, linkify};
use super::more_marker::is_more_marker;

fn markdown_options() -> Options {
    // One by one: `Options::all()` would also turn on math, wikilinks, etc.
    let mut o = Options::empty();
    o.insert(Options::ENABLE_TABLES);
    o.insert(Options::ENABLE_STRIKETHROUGH);
    o.insert(Options::ENABLE_FOOTNOTES);
    // `## Title {#id}` is common in content written for static site generators; without
    // this the braces show up as heading text.
    o.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    // `- [x] done`: written out as ☑/☐ (readers drop form controls).
    o.insert(Options::ENABLE_TASKLISTS);
    // `$…$` and `$$…$$`: recognised only to keep TeX as written (CommonMark would turn
    // `\,` into `,`); they are written back with their dollars, for readers and MathJax.
    o.insert(Options::ENABLE_MATH);
    o
}

pub(super) struct MarkdownOut {
    pub(super) html: String,
    /// Byte offset of the first `<!-- more -->` HTML block line.
    pub(super) more_at: Option<usize>,
    /// HTML of the part before the marker, without footnote references (their definitions
    /// are not part of the excerpt, and a dangling `[^x]` would read as noise).
    pub(super) more_html: Option<String>,
}

/// Single pass over the events: rewrite footnote ids, linkify bare URLs and locate the
/// `<!-- more -->` marker. (The automatic summary is taken from the sanitized HTML, so raw
/// HTML paragraphs count like Markdown ones.) `Err` when the HTML would be over `max_bytes`.
pub(super) fn markdown_to_html(
    src: &str,
    fn_id_start: &str,
    max_bytes: usize,
) -> Result<MarkdownOut, TooLarge> {
    let parser = Parser::new_ext(src, markdown_options());
    let mut events: Vec<Event<'_>> = Vec::new();
    // The marker's byte offset in `src`, and its index in `events`.
    let mut more: Option<(usize, usize)> = None;
    let mut context = Context::default();
    let mut rows = TableRows::default();
    // At least what the events so far will write: a body over the bound stops here, before
    // all its events (and footnote ids) are held.
    let mut least_html = 0usize;

    for (event, range) in TextMergeWithOffset::new(parser.into_offset_iter()) {
        if more.is_none() && matches!(&event, Event::Html(h) if is_more_marker(h)) {
            more = Some((range.start, events.len()));
        }
        least_html = least_html.saturating_add(least_html_of(&event, fn_id_start));
        if least_html > max_bytes {
            return Err(TooLarge { limit: max_bytes });
        }
        context.enter_or_leave(&event);
        if let Some(event) = rows.push(event, &mut events) {
            push_rewritten(event, &context, fn_id_start, &mut events);
        }
    }

    let more_html = more
        .map(|(_, end)| excerpt_html(&events[..end], max_bytes))
        .transpose()?;
    let html = events_to_html(events.into_iter(), src.len() + src.len() / 4, max_bytes)?;

    Ok(MarkdownOut {
        html,
        more_at: more.map(|(at, _)| at),
        more_html,
    })
}

/// The fewest bytes of HTML `event` is written as: its text (escaping only adds), and for a
/// footnote reference its markup (`<sup class="footnote-reference"><a href="#ID">1</a></sup>`).
fn least_html_of(event: &Event<'_>, fn_id_start: &str) -> usize {
    match event {
        Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => t.len(),
        Event::FootnoteReference(label) => 50 + fn_id_start.len() + label.len(),
        _ => 0,
    }
}

/// Where an event stands: inside how many links and images, a code block, raw `<a>` elements.
#[derive(Default)]
struct Context {
    in_image: usize,
    in_link: usize,
    in_code_block: bool,
    raw_link_depth: usize,
}

impl Context {
    fn enter_or_leave(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(Tag::Image { .. }) => self.in_image += 1,
            Event::End(TagEnd::Image) => self.in_image = self.in_image.saturating_sub(1),
            Event::Start(Tag::Link { .. }) => self.in_link += 1,
            Event::End(TagEnd::Link) => self.in_link = self.in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::InlineHtml(h) => {
                // Don't linkify inside a raw `<a>…</a>` either.
                if starts_tag(h, "<a") {
                    self.raw_link_depth += 1;
                } else if starts_tag(h, "</a") {
                    self.raw_link_depth = self.raw_link_depth.saturating_sub(1);
                }
            }
            _ => {}
        }
    }

    /// Whether a bare URL in text here becomes a link: not in code, nor in a link or image.
    fn links_bare_urls(&self) -> bool {
        !self.in_code_block && self.in_link == 0 && self.in_image == 0 && self.raw_link_depth == 0
    }
}

/// Empty cells at the end of a table body row, held back: pulldown-cmark pads every row to
/// the header's width, so a 2,000-column header over 3,000 one-cell rows (14 KB) rendered
/// 8 MB. Only cells followed by a non-empty one in the same row are written.
#[derive(Default)]
struct TableRows {
    in_body_row: bool,
    empty_cells: usize,
    cell_start: usize,
}

impl TableRows {
    /// Writes a row or body-cell boundary into `events`, holding back empty cells; gives
    /// any other event back.
    fn push<'a>(&mut self, event: Event<'a>, events: &mut Vec<Event<'a>>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::TableRow) => {
                self.in_body_row = true;
                self.empty_cells = 0;
                events.push(Event::Start(Tag::TableRow));
            }
            Event::End(TagEnd::TableRow) => {
                self.in_body_row = false;
                events.push(Event::End(TagEnd::TableRow));
            }
            Event::Start(Tag::TableCell) if self.in_body_row => {
                self.cell_start = events.len();
                events.push(Event::Start(Tag::TableCell));
            }
            Event::End(TagEnd::TableCell) if self.in_body_row => {
                if events.len() == self.cell_start + 1 {
                    events.pop();
                    self.empty_cells += 1;
                } else {
                    // Content: the empty cells before it are real, in their columns.
                    let held = std::mem::take(&mut self.empty_cells);
                    let pairs = (0..held).flat_map(|_| {
                        [Event::Start(Tag::TableCell), Event::End(TagEnd::TableCell)]
                    });
                    events.splice(self.cell_start..self.cell_start, pairs);
                    events.push(Event::End(TagEnd::TableCell));
                }
            }
            other => return Some(other),
        }
        None
    }
}

/// Writes one event as the feeds carry it: footnote ids made per-article, bare URLs linked,
/// link and image URLs in ASCII, task markers and math as the text that was written.
fn push_rewritten<'a>(
    event: Event<'a>,
    context: &Context,
    fn_id_start: &str,
    events: &mut Vec<Event<'a>>,
) {
    match event {
        Event::FootnoteReference(name) => {
            events.push(Event::FootnoteReference(
                footnote_id(fn_id_start, &name).into(),
            ));
        }
        Event::Start(Tag::FootnoteDefinition(name)) => {
            events.push(Event::Start(Tag::FootnoteDefinition(
                footnote_id(fn_id_start, &name).into(),
            )));
        }
        Event::Text(t) if context.links_bare_urls() => linkify(t, events),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => events.push(Event::Start(Tag::Link {
            link_type,
            dest_url: ascii_url(dest_url),
            title,
            id,
        })),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => events.push(Event::Start(Tag::Image {
            link_type,
            dest_url: ascii_url(dest_url),
            title,
            id,
        })),
        Event::TaskListMarker(done) => {
            events.push(Event::Text(if done { "☑ " } else { "☐ " }.into()));
        }
        Event::InlineMath(tex) => events.push(Event::Text(format!("${tex}$").into())),
        Event::DisplayMath(tex) => events.push(Event::Text(format!("$${tex}$$").into())),
        other => events.push(other),
    }
}

/// HTML of the events before the `<!-- more -->` marker, without footnote references and
/// definitions.
fn excerpt_html(before_marker: &[Event<'_>], max_bytes: usize) -> Result<String, TooLarge> {
    let mut in_definition = 0usize;
    let excerpt = before_marker.iter().filter(|e| {
        match e {
            Event::Start(Tag::FootnoteDefinition(_)) => in_definition += 1,
            Event::End(TagEnd::FootnoteDefinition) => {
                in_definition = in_definition.saturating_sub(1);
                return false;
            }
            _ => {}
        }
        in_definition == 0 && !matches!(e, Event::FootnoteReference(_))
    });
    let mut html = events_to_html(excerpt.cloned(), before_marker.len() * 16, max_bytes)?;
    // Indentation before the marker line can leave a blank tail.
    html.truncate(html.trim_end().len());
    html.push('\n');
    Ok(html)
}

fn events_to_html<'a>(
    events: impl Iterator<Item = Event<'a>>,
    capacity: usize,
    max_bytes: usize,
) -> Result<String, TooLarge> {
    let mut html = String::with_capacity(capacity.min(max_bytes));
    let bounded = BoundedString {
        out: &mut html,
        max: max_bytes,
    };
    pulldown_cmark::html::write_html_fmt(bounded, events)
        .map_err(|_| TooLarge { limit: max_bytes })?;
    // pulldown-cmark aligns table cells with `style`, which the sanitizer
    // drops; use the `align` attribute instead.
    if html.contains("style=\"text-align: ") {
        html = html
            .replace(" style=\"text-align: left\">", " align=\"left\">")
            .replace(" style=\"text-align: center\">", " align=\"center\">")
            .replace(" style=\"text-align: right\">", " align=\"right\">");
    }
    Ok(html)
}

/// `<a …>` / `</a>` (case-insensitive), not `<abbr>`.
fn starts_tag(html: &str, prefix: &str) -> bool {
    let b = html.as_bytes();
    b.len() > prefix.len()
        && b[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        && matches!(b[prefix.len()], b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{base, md, EVIL};
    use super::super::{render_body, BodyKind};

    #[test]
    fn tables_strikethrough_footnotes_render() {
        let r = md("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~\n\nText[^1].\n\n[^1]: The note.\n");
        let c = &r.content_html;
        assert!(c.contains("<table>"), "{c}");
        assert!(c.contains("<th align=\"left\">a</th>"), "{c}");
        assert!(c.contains("<td align=\"right\">2</td>"), "{c}");
        assert!(c.contains("<del>gone</del>"), "{c}");
        assert!(c.contains("class=\"footnote-reference\""), "{c}");
        assert!(c.contains("class=\"footnote-definition\""), "{c}");
        assert!(c.contains("The note."), "{c}");
        assert!(!c.contains("style="), "{c}");
    }

    #[test]
    fn code_language_class_kept() {
        let r = md("```rust\nfn main() {}\n```\n");
        assert!(
            r.content_html.contains("<code class=\"language-rust\">"),
            "{}",
            r.content_html
        );
    }

    #[test]
    fn task_lists_and_math_keep_what_was_written() {
        let r = md(
            "- [ ] todo\n- [x] done\n\n$$ f(x)\\, dx $$ and $a\\,b < c$, costs $5-$10 or \\$3\n",
        );
        let c = &r.content_html;
        assert!(
            c.contains("<li>☐ todo</li>") && c.contains("<li>☑ done</li>"),
            "{c}"
        );
        assert!(c.contains("$$ f(x)\\, dx $$ and $a\\,b &lt; c$"), "{c}");
        assert!(c.contains("costs $5-$10 or $3"), "{c}");
    }

    #[test]
    fn table_rows_are_not_padded_to_the_header_width() {
        let header = "|h".repeat(2_000) + "|\n" + &"|-".repeat(2_000) + "|\n";
        let table = header + &"|x|\n".repeat(3_000);
        let r = md(&table);
        assert!(r.content_html.len() < 200_000, "{}", r.content_html.len());
        // Empty cells between others stay; alignment follows the column.
        let r = md("| a | b | c |\n|:--|:-:|--:|\n| 1 || 3 |\n| 4 |\n");
        let c = &r.content_html;
        assert!(
            c.contains(
                "<td align=\"left\">1</td><td align=\"center\"></td><td align=\"right\">3</td>"
            ),
            "{c}"
        );
        assert!(c.contains("<tr><td align=\"left\">4</td></tr>"), "{c}");
    }

    #[test]
    fn deterministic() {
        let body = "Hello[^n] https://x.org *y* ![i](i.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^n]: note\n";
        let a = md(body);
        let b = md(body);
        assert_eq!(a, b);
        let h1 = render_body(EVIL, BodyKind::Html, Some("s"), &base(), "p", 50);
        let h2 = render_body(EVIL, BodyKind::Html, Some("s"), &base(), "p", 50);
        assert_eq!(h1, h2);
    }
}
