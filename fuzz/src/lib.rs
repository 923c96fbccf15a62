//! The invariants every fuzz target checks on what feedwright produced for one input:
//! feeds are well-formed XML, and neither rendered content nor the feeds' HTML carries a
//! script: no `<script>` element, no `on…=` event handler attribute, no `javascript:` URL.
//!
//! The HTML check reads tags as a browser does (quoted attribute values included) rather
//! than searching the text: html5ever writes `<` inside attribute values unescaped, so
//! `<img alt="<script>">` is a harmless image, while `&lt;script` in text is text.

use quick_xml::events::Event;
use quick_xml::Reader;

/// A broken invariant, with enough of the output to see why.
pub fn fail(what: &str, why: &str, output: &str) -> ! {
    let shown: String = output.chars().take(2000).collect();
    panic!("{what}: {why}\n--- output (first 2000 chars) ---\n{shown}");
}

/// URL schemes that run code when a reader follows or loads the URL.
fn is_script_url(value: &str) -> bool {
    // Browsers drop ASCII whitespace and control characters inside a URL's scheme.
    let decoded = decode_references(value);
    let squeezed: String = decoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .flat_map(char::to_lowercase)
        .collect();
    squeezed.starts_with("javascript:")
        || squeezed.starts_with("vbscript:")
        || squeezed.starts_with("data:text/html")
}

/// Numeric character references and the few named ones that can spell a scheme; enough to
/// see `&#106;avascript:` and `javascript&colon;` for what they are.
fn decode_references(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '#'))
            .map_or(rest.len(), |(i, _)| i);
        let name = &rest[1..end];
        let after = if rest[end..].starts_with(';') {
            end + 1
        } else {
            end
        };
        let decoded = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        } else if let Some(dec) = name.strip_prefix('#') {
            dec.parse::<u32>().ok().and_then(char::from_u32)
        } else {
            match name.to_ascii_lowercase().as_str() {
                "colon" => Some(':'),
                "tab" => Some('\t'),
                "newline" => Some('\n'),
                "amp" => Some('&'),
                _ => None,
            }
        };
        match decoded {
            Some(c) if end > 1 => {
                out.push(c);
                rest = &rest[after..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Attributes whose value is a URL a reader may load or follow.
const URL_ATTRIBUTES: [&str; 10] = [
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "cite",
    "background",
    "xlink:href",
    "data",
    "srcset",
];

/// Checks one HTML fragment: no script element, no event handler, no script URL.
pub fn check_html(what: &str, html: &str) {
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<') {
        i += lt + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |end| i + end + 3);
            continue;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(html.len(), |n| i + n);
        let tag = html[i..name_end].to_ascii_lowercase();
        if matches!(
            tag.as_str(),
            "script" | "iframe" | "object" | "embed" | "frame"
        ) {
            fail(what, &format!("a <{tag}> element"), html);
        }
        i = name_end;
        // Attributes until the end of the tag.
        loop {
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
            {
                i += 1;
            }
            match bytes.get(i) {
                None => return,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let attr_end = html[i..]
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
                .map_or(html.len(), |n| i + n.max(1));
            let attr = html[i..attr_end].to_ascii_lowercase();
            i = attr_end;
            while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let mut value = "";
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&quote) if quote == b'"' || quote == b'\'' => {
                        let end = html[i + 1..]
                            .find(char::from(quote))
                            .map_or(html.len(), |n| i + 1 + n);
                        value = &html[i + 1..end];
                        i = (end + 1).min(html.len());
                    }
                    _ => {
                        let end = html[i..]
                            .find(|c: char| c.is_ascii_whitespace() || c == '>')
                            .map_or(html.len(), |n| i + n);
                        value = &html[i..end];
                        i = end;
                    }
                }
            }
            let handler = attr.strip_prefix("on").is_some_and(|event| {
                !event.is_empty() && event.bytes().all(|b| b.is_ascii_alphabetic())
            });
            if handler {
                fail(what, &format!("event handler attribute `{attr}`"), html);
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) && is_script_url(value) {
                fail(what, &format!("script URL in `{attr}`: {value:?}"), html);
            }
        }
    }
}

/// Whether the element just opened holds HTML that readers render: Atom text constructs
/// with `type="html"`, RSS `<description>` inside an `<item>` (the channel's is plain
/// text), and `content:encoded`.
fn holds_html(start: &quick_xml::events::BytesStart<'_>, in_item: bool) -> bool {
    match start.name().as_ref() {
        b"content:encoded" => true,
        b"description" => in_item,
        b"content" | b"summary" | b"subtitle" | b"title" | b"rights" => start
            .attributes()
            .flatten()
            .any(|a| a.key.as_ref() == b"type" && a.value.as_ref() == b"html"),
        _ => false,
    }
}

/// Checks one feed document: well-formed XML (one root, tags balanced, attributes and
/// references valid), no script URL in any `href`/`src`/`uri`, and the HTML it carries
/// (see [`holds_html`]) passes [`check_html`] once unescaped.
pub fn check_feed(what: &str, xml: &str) {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    let mut html = String::new();
    let mut in_item = false;
    let mut html_open = false;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => fail(
                what,
                &format!("not well-formed at {}: {e}", reader.buffer_position()),
                xml,
            ),
        };
        match event {
            Event::Start(start) => {
                roots += usize::from(depth == 0);
                check_attributes(what, &start, xml);
                depth += 1;
                in_item |= start.name().as_ref() == b"item";
                html_open = holds_html(&start, in_item);
                html.clear();
            }
            Event::Empty(empty) => {
                roots += usize::from(depth == 0);
                check_attributes(what, &empty, xml);
            }
            Event::End(end) => {
                let name = end.name().as_ref().to_vec();
                if html_open && !html.is_empty() {
                    check_html(what, &html);
                }
                html_open = false;
                in_item &= name != b"item";
                if name == b"uri" && is_script_url(&html) {
                    fail(what, &format!("script URL in <uri>: {html:?}"), xml);
                }
                html.clear();
                depth = depth.saturating_sub(1);
            }
            Event::Text(text) => {
                let text = text
                    .unescape()
                    .unwrap_or_else(|e| fail(what, &format!("bad text: {e}"), xml));
                if depth == 0 && !text.trim().is_empty() {
                    fail(what, "text outside the root element", xml);
                }
                html.push_str(&text);
            }
            Event::CData(data) => {
                html.push_str(&String::from_utf8_lossy(&data.into_inner()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if roots != 1 || depth != 0 {
        fail(
            what,
            &format!("{roots} root elements, {depth} left open"),
            xml,
        );
    }
}

/// No script URL in an element's `href`, `src` or `uri` attribute.
fn check_attributes(what: &str, start: &quick_xml::events::BytesStart<'_>, xml: &str) {
    for attribute in start.attributes() {
        let attribute =
            attribute.unwrap_or_else(|e| fail(what, &format!("bad attribute: {e}"), xml));
        let value = attribute
            .unescape_value()
            .unwrap_or_else(|e| fail(what, &format!("bad attribute value: {e}"), xml));
        let key = attribute.key.as_ref();
        if matches!(key, b"href" | b"src" | b"uri") && is_script_url(&value) {
            fail(what, &format!("script URL in an attribute: {value:?}"), xml);
        }
    }
}

/// The file name an `article` input names on its first line (at most 200 bytes), and the
/// file's bytes after it. No newline: the whole input is the file, named `posts/fuzz.md`.
pub fn split_name(data: &[u8]) -> (String, &[u8]) {
    match data.iter().take(200).position(|&b| b == b'\n') {
        Some(newline) => (
            String::from_utf8_lossy(&data[..newline]).into_owned(),
            &data[newline + 1..],
        ),
        None => ("posts/fuzz.md".to_string(), data),
    }
}
