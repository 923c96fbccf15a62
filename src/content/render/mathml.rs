//! MathML in article bodies (Pandoc's and Quarto's `--mathml`, hand-written `<math>`), turned
//! into plain HTML before sanitizing. Feed sanitizers, ours included, drop the MathML
//! namespace with its text, and few readers render it; so `e<sup>iπ</sup>+1=0` stands in
//! for `<math><msup><mi>e</mi>…`. It is an approximation (fractions become `(a)/(b)`, roots
//! `√(x)`), never a loss of the text.

use crate::content::html::scan::{next_tag, RawTag};

/// Nesting kept as structure; deeper markup is flattened into its parent (bounded recursion).
const MAX_DEPTH: usize = 32;

struct Node<'a> {
    name: String,
    /// `mfenced`'s delimiters.
    open: Option<&'a str>,
    close: Option<&'a str>,
    children: Vec<Child<'a>>,
}

enum Child<'a> {
    Text(&'a str),
    Element(Node<'a>),
}

/// The HTML standing for the markup between `<math …>` and `</math>`.
pub(super) fn to_html(inner: &str) -> String {
    let root = parse(inner);
    let mut out = String::with_capacity(inner.len() / 4);
    render_children(&root.children, &mut out);
    out
}

fn element<'a>(name: String, tag: Option<&RawTag<'a>>) -> Node<'a> {
    Node {
        name,
        open: tag.and_then(|t| delimiter(t.attr_value("open")?)),
        close: tag.and_then(|t| delimiter(t.attr_value("close")?)),
        children: Vec::new(),
    }
}

/// An `mfenced` delimiter, copied into the HTML only when it is one of the brackets it is
/// meant for (the raw attribute could hold markup).
fn delimiter(value: &str) -> Option<&str> {
    let mut chars = value.chars();
    let bracket = |c: char| "()[]{}|‖⟨⟩⌈⌉⌊⌋".contains(c);
    match (chars.next(), chars.next()) {
        (None, _) => Some(value),
        (Some(c), None) if bracket(c) => Some(value),
        _ => None,
    }
}

/// Builds the element tree; unbalanced end tags close what they match, or nothing.
fn parse(html: &str) -> Node<'_> {
    let mut stack: Vec<Node<'_>> = vec![element(String::new(), None)];
    // Start tags below MAX_DEPTH that were flattened, to skip their end tags.
    let mut flattened: Vec<String> = Vec::new();
    let mut at = 0;
    let mut text_from = 0;
    loop {
        let (start, tag) = match next_tag(html, at) {
            Ok(found) => found,
            Err(end) => {
                // An unfinished tag at `end`, and all after it, is dropped as parsers do.
                push_text(&mut stack, &html[text_from..end]);
                break;
            }
        };
        push_text(&mut stack, &html[text_from..start]);
        at = tag.end;
        text_from = tag.end;
        let self_closing = html[..tag.end].ends_with("/>");
        if tag.closing {
            if flattened.last() == Some(&tag.name) {
                flattened.pop();
            } else if let Some(depth) = stack.iter().rposition(|n| n.name == tag.name) {
                while stack.len() > depth.max(1) {
                    close_top(&mut stack);
                }
            }
        } else if self_closing {
            if stack.len() < MAX_DEPTH {
                let node = element(tag.name.clone(), Some(&tag));
                add_child(&mut stack, Child::Element(node));
            }
        } else if stack.len() < MAX_DEPTH {
            stack.push(element(tag.name.clone(), Some(&tag)));
        } else {
            flattened.push(tag.name.clone());
        }
    }
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    stack.pop().unwrap_or_else(|| element(String::new(), None))
}

fn push_text<'a>(stack: &mut [Node<'a>], text: &'a str) {
    if !text.is_empty() {
        add_child(stack, Child::Text(text));
    }
}

fn add_child<'a>(stack: &mut [Node<'a>], child: Child<'a>) {
    if let Some(top) = stack.last_mut() {
        top.children.push(child);
    }
}

fn close_top(stack: &mut Vec<Node<'_>>) {
    if let Some(node) = stack.pop() {
        add_child(stack, Child::Element(node));
    }
}

fn render_children(children: &[Child<'_>], out: &mut String) {
    for child in children {
        render(child, out);
    }
}

/// The element children of a node (MathML's positional arguments); text between them is
/// only whitespace in well-formed MathML.
fn arguments<'n, 'a>(node: &'n Node<'a>) -> Vec<&'n Child<'a>> {
    node.children
        .iter()
        .filter(|c| matches!(c, Child::Element(_)))
        .collect()
}

fn rendered(child: Option<&&Child<'_>>) -> String {
    let mut s = String::new();
    if let Some(child) = child {
        render(child, &mut s);
    }
    s
}

/// `x` stays `x`; `a+b` becomes `(a+b)`, so `(a+b)/(c)` reads right.
fn grouped(html: String) -> String {
    let plain = html.chars().all(|c| c.is_alphanumeric() || c == '.');
    if plain {
        html
    } else {
        format!("({html})")
    }
}

fn render(child: &Child<'_>, out: &mut String) {
    let node = match child {
        Child::Text(text) => return out.push_str(text.trim()),
        Child::Element(node) => node,
    };
    let args = arguments(node);
    let script = |out: &mut String, tag: &str, arg: Option<&&Child<'_>>| {
        let s = rendered(arg);
        if !s.is_empty() {
            out.push_str(&format!("<{tag}>{s}</{tag}>"));
        }
    };
    match node.name.as_str() {
        "annotation" | "annotation-xml" | "mphantom" | "none" | "mprescripts" => {}
        // Its first child is the presentation; the rest are annotations.
        "semantics" => out.push_str(&rendered(args.first())),
        "msup" | "mover" => {
            out.push_str(&rendered(args.first()));
            script(out, "sup", args.get(1));
        }
        "msub" | "munder" => {
            out.push_str(&rendered(args.first()));
            script(out, "sub", args.get(1));
        }
        "msubsup" | "munderover" => {
            out.push_str(&rendered(args.first()));
            script(out, "sub", args.get(1));
            script(out, "sup", args.get(2));
        }
        "mfrac" => {
            out.push_str(&grouped(rendered(args.first())));
            out.push('/');
            out.push_str(&grouped(rendered(args.get(1))));
        }
        "msqrt" => {
            let mut inner = String::new();
            render_children(&node.children, &mut inner);
            out.push('√');
            out.push_str(&grouped(inner));
        }
        "mroot" => {
            script(out, "sup", args.get(1));
            out.push('√');
            out.push_str(&grouped(rendered(args.first())));
        }
        "mfenced" => {
            out.push_str(node.open.unwrap_or("("));
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(arg, out);
            }
            out.push_str(node.close.unwrap_or(")"));
        }
        "mspace" => out.push(' '),
        "mtr" | "mlabeledtr" => {
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                render(arg, out);
            }
            out.push_str("; ");
        }
        "mo" => {
            let mut op = String::new();
            render_children(&node.children, &mut op);
            // Relations and binary operators read better with room around them.
            if matches!(
                op.as_str(),
                "=" | "+"
                    | "−"
                    | "-"
                    | "&lt;"
                    | "&gt;"
                    | "≤"
                    | "≥"
                    | "≠"
                    | "≈"
                    | "→"
                    | "⇒"
                    | "×"
                    | "±"
            ) {
                out.push(' ');
                out.push_str(&op);
                out.push(' ');
            } else {
                out.push_str(&op);
            }
        }
        // mrow, mi, mn, mtext, ms, mstyle, mpadded, menclose, mtable, mtd, …: their content.
        _ => render_children(&node.children, out),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{html, md};
    use super::*;

    #[test]
    fn mathml_becomes_readable_html() {
        assert_eq!(
            to_html("<msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn>"),
            "e<sup>iπ</sup> + 1 = 0"
        );
        assert_eq!(
            to_html("<mfrac><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mn>2</mn></mfrac>"),
            "(a + b)/2"
        );
        assert_eq!(
            to_html("<msqrt><mi>x</mi></msqrt><msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup>"),
            "√x∫<sub>0</sub><sup>1</sup>"
        );
        // Pandoc wraps it in semantics with a TeX annotation: shown once, as MathML.
        assert_eq!(
            to_html("<semantics><mrow><msub><mi>x</mi><mi>i</mi></msub></mrow><annotation encoding=\"application/x-tex\">x_i</annotation></semantics>"),
            "x<sub>i</sub>"
        );
        assert_eq!(
            to_html("<mfenced open=\"[\" close=\"]\"><mi>a</mi><mi>b</mi></mfenced><mspace/>"),
            "[a, b] "
        );
        assert_eq!(
            to_html("<mfenced open=\"<div><div>\" close=\"\"><mi>a</mi></mfenced>"),
            "(a"
        );
    }

    #[test]
    fn broken_or_deep_mathml_keeps_its_text_in_bounded_depth() {
        assert_eq!(to_html("<msup><mi>x</mi><mn>2</mi>"), "x<sup>2</sup>");
        assert_eq!(to_html("</mrow>text<mi>y"), "texty");
        let deep = "<mrow>".repeat(100_000) + "z" + &"</mrow>".repeat(100_000);
        assert_eq!(to_html(&deep), "z");
    }

    #[test]
    fn mathml_keeps_its_text() {
        let c = html("<p>Euler: <math display=\"inline\"><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></math>.</p>\n<math display=\"block\"><mfrac><mn>1</mn><mi>n</mi></mfrac></math><p>After.</p>");
        assert!(c.contains("<p>Euler: e<sup>iπ</sup> + 1 = 0.</p>"), "{c}");
        assert!(c.contains("1/n<p>After.</p>"), "{c}");
        let r = md("Inline <math><mi>x</mi><mo>&lt;</mo><mn>2</mn></math> in Markdown.");
        assert_eq!(r.summary_html, "Inline x &lt; 2 in Markdown.");
    }
}
