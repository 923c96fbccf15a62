use std::time::{Duration, Instant};

use url::Url;

use crate::config::Config;
use crate::content::{parse_article, Article, ParseOptions, Parsed};

fn config() -> Config {
    let mut c = Config::defaults();
    c.site.base_url = Url::parse("https://example.com/blog/").unwrap();
    c.site.title = "Field Notes".to_string();
    c
}

fn parse(source: &str, body: &str) -> Parsed {
    let text = format!("---\ntitle: Post\ndate: 2024-03-05\n---\n{body}");
    parse_article(source, text.as_bytes(), &config(), ParseOptions::default())
}

/// The rewritten body and the warnings, as `line:column: message`.
fn expand(body: &str) -> (String, Vec<String>) {
    let p = parse("posts/2024-03-05-post.md", body);
    let warnings = p
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
        .collect();
    let a = p.article.unwrap_or_else(|| panic!("{:?}", p.diagnostics));
    (a.body.to_string(), warnings)
}

fn html(source: &str, body: &str) -> String {
    let p = parse(source, body);
    let a: Article = p.article.unwrap();
    a.rendered(&config()).content_html.clone()
}

#[test]
fn liquid_highlight_is_a_code_block_with_its_language() {
    let body = "Before.\n\n{% highlight c linenos %}\n#include <stdio.h>\n> not a quote\n{% endhighlight %}\n\nAfter.\n";
    let (text, warnings) = expand(body);
    assert_eq!(
        text,
        "Before.\n\n<pre><code class=\"language-c\">#include &lt;stdio.h&gt;\n&gt; not a quote\n</code></pre>\n\nAfter.\n"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let out = html("posts/a.md", body);
    assert!(out.contains("#include &lt;stdio.h&gt;"), "{out}");
    assert!(!out.contains("blockquote"), "{out}");
    // The same in an HTML post, where the sanitizer would take `<stdio.h>` for a tag.
    let out = html(
        "posts/a.html",
        "<p>x</p>\n{% highlight c %}\n#include <stdio.h>\n{% endhighlight %}\n",
    );
    assert!(out.contains("#include &lt;stdio.h&gt;"), "{out}");
}

#[test]
fn liquid_raw_comment_and_site_variables() {
    let (text, warnings) = expand(
        "{% raw %}{{ page.title }}{% endraw %} and {% comment %}hidden{% endcomment %}.\n[home]({{ site.url }}{{ site.baseurl }}/) of {{ site.title }} {{ site.nothing }}!\n",
    );
    assert_eq!(
        text,
        "{{ page.title }} and .\n[home](https://example.com/blog/) of Field Notes !\n"
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("6:63: `{{ site.nothing }}`"),
        "{warnings:?}"
    );
}

#[test]
fn liquid_post_url_and_link_are_guessed_permalinks_recorded_or_with_a_warning() {
    let (text, warnings) = expand(
        "See [it]({% post_url 2010-07-21-name %}) and [that]({% link _posts/2011-01-02-other.md %}), [about]({% link about.md %}), [doc]({% link _docs/history.md %}).\n",
    );
    assert_eq!(
        text,
        "See [it](https://example.com/blog/posts/name/) and [that](https://example.com/blog/posts/other/), [about](https://example.com/blog/about.html), [doc](https://example.com/blog/docs/history.html).\n"
    );
    // Posts are recorded for resolving (`site::links`); pages are a guess, with a warning.
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("5:101: `{% link about.md %}` written as"),
        "{warnings:?}"
    );
    let p = parse(
        "posts/2024-03-05-post.md",
        "See [it]({% post_url 2010-07-21-name %}) and [that]({% link _posts/2011-01-02-other.md %}).\n",
    );
    let refs: Vec<(String, usize, usize)> = p
        .article
        .unwrap()
        .link_refs
        .into_iter()
        .map(|r| (r.target, r.line, r.column))
        .collect();
    assert_eq!(
        refs,
        vec![
            ("2010-07-21-name".to_string(), 5, 10),
            ("_posts/2011-01-02-other.md".to_string(), 5, 53)
        ]
    );
}

#[test]
fn liquid_unknown_tags_are_dropped_with_a_warning_keeping_their_content() {
    let (text, warnings) = expand("{% include note.html %}\n{% if x %}kept{% endif %}\n");
    assert_eq!(text, "\nkept\n");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("5:1: `{% include note.html %}`"),
        "{warnings:?}"
    );
    assert!(warnings[1].starts_with("6:1:"), "{warnings:?}");
}

#[test]
fn liquid_plugin_tags_and_theme_includes() {
    let (text, warnings) = expand(
        "{% gist ann/7 %} {% youtube abc %}\n{% include figure image_path=\"/a.jpg\" alt=\"A\" caption=\"C\" %}\n{% include video id=\"9\" provider=\"vimeo\" %}\n",
    );
    assert_eq!(
        text,
        "<a href=\"https://gist.github.com/ann/7\">Gist by ann</a> <iframe src=\"https://www.youtube.com/embed/abc\" title=\"Video\"></iframe>\n<figure><img src=\"/a.jpg\" alt=\"A\"><figcaption><p>C</p></figcaption></figure>\n<iframe src=\"https://player.vimeo.com/video/9\" title=\"Video\"></iframe>\n"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn hugo_figure_and_embeds() {
    let (text, warnings) = expand(
        "{{< figure src=\"cat.jpg\" alt=\"A cat\" caption=\"Our cat\" link=\"https://x.example/\" >}}\n\n{{< youtube abc_1 >}}\n\n{{< x user=\"ann\" id=\"42\" >}} {{< gist ann 7 >}}\n\n{{< link \"https://x.example/\" \"X\" >}} {% asset_img cat.png A cat %}\n",
    );
    assert_eq!(
        text,
        "<figure><a href=\"https://x.example/\"><img src=\"cat.jpg\" alt=\"A cat\"></a><figcaption><p>Our cat</p></figcaption></figure>\n\n<iframe src=\"https://www.youtube.com/embed/abc_1\" title=\"Video\"></iframe>\n\n<a href=\"https://x.com/ann/status/42\">Post by @ann on X</a> <a href=\"https://gist.github.com/ann/7\">Gist by ann</a>\n\n<a href=\"https://x.example/\">X</a> <img src=\"cat.png\" alt=\"A cat\">\n"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let out = html("posts/a.md", "{{< youtube abc_1 >}}\n");
    assert!(
        out.contains("https://www.youtube.com/watch?v=abc_1"),
        "{out}"
    );
    let out = html("posts/a.md", "{{< figure src=\"cat.jpg\" >}}\n");
    assert!(
        out.contains("<img src=\"https://example.com/blog/posts/a/cat.jpg\""),
        "{out}"
    );
}

#[test]
fn hugo_custom_image_shortcode_shows_its_image() {
    let (text, warnings) = expand("{{% img src=\"/media/a.png\" alt=\"A\" %}}\n");
    assert_eq!(
        text,
        "<figure><img src=\"/media/a.png\" alt=\"A\"></figure>\n"
    );
    assert!(warnings[0].contains("a guess"), "{warnings:?}");
}

#[test]
fn hugo_paired_custom_escape_ref_and_highlight() {
    let (text, warnings) = expand(
        "{{% note %}}\nInside.\n{{% /note %}}\n\nCode: {{</* figure src=\"x\" */>}}\n\n[p]({{< ref \"posts/other.md\" >}})\n\n{{< highlight go >}}\nfmt.Println(\"<hi>\")\n{{< /highlight >}}\n{{< unknown >}}\n",
    );
    assert_eq!(
        text,
        "\nInside.\n\n\nCode: {{< figure src=\"x\" >}}\n\n[p](https://example.com/blog/posts/other/)\n\n<pre><code class=\"language-go\">fmt.Println(&quot;&lt;hi&gt;&quot;)\n</code></pre>\n\n"
    );
    // The `ref` is recorded, resolved once every article is read (`site::links`).
    let p = parse(
        "posts/2024-03-05-post.md",
        "[p]({{< ref \"posts/other.md\" >}})\n",
    );
    let refs = &p.article.unwrap().link_refs;
    assert_eq!(
        (
            refs[0].target.as_str(),
            refs[0].guess.as_str(),
            refs[0].line,
            refs[0].column
        ),
        (
            "posts/other.md",
            "https://example.com/blog/posts/other/",
            5,
            5
        )
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("5:1: shortcode `note`"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with("16:1: shortcode `unknown`"),
        "{warnings:?}"
    );
}

#[test]
fn kramdown_attribute_lists_are_removed() {
    let (text, warnings) = expand(
        "* TOC\n{:toc}\n\nText.\n{: .note}\n\n{::options parse_block_html=\"true\" /}\n{::comment}\nhidden\n{:/comment}\nEnd {:#id}.\n",
    );
    assert_eq!(text, "\n\nText.\n\n\n\n\nEnd .\n");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn code_blocks_and_spans_are_left_as_written() {
    let body = "Use `{% raw %}` or `` {{< x >}} ``.\n\n```liquid\n{% highlight c %}\n{{ site.url }}\n```\n\n    {% include x %}\n\n~~~\n{{</* figure */>}} {% raw %}{{ y }}{% endraw %}\n~~~\n";
    let (text, warnings) = expand(body);
    assert_eq!(
        text,
        "Use `` or `` {{< x >}} ``.\n\n```liquid\n{% highlight c %}\n{{ site.url }}\n```\n\n    {% include x %}\n\n~~~\n{{< figure >}} {{ y }}\n~~~\n"
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    // A fence in a list item, indented as its content.
    let nested = "1. Item\n\n   - Sub\n\n         ```\n         {{< x >}}\n         ```\n";
    assert_eq!(expand(nested).0, nested);
    // In raw mode even `{% raw %}` is literal, as Liquid shows it.
    let (text, _) = expand("`{% raw %}{% raw %}{% endraw %}` `{% endraw %}`\n");
    assert_eq!(text, "`{% raw %}` ``\n");
    // Not template syntax at all: left alone, nothing rewritten.
    let prose = "Rust's `format!(\"{:?}\")`, a set {1, 2}, {{ .Title }}, folds ({{{ and }}}).\n";
    assert_eq!(expand(prose), (prose.to_string(), Vec::new()));
}

#[test]
fn unclosed_constructs_never_swallow_the_rest() {
    let (text, warnings) = expand(
        "{% highlight c %}\nint x;\n\nMore text.\n\n{{< figure src=\"a.jpg\"\n\nStill here {% raw %} and {{% note %}} here.\n",
    );
    assert_eq!(
        text,
        "\nint x;\n\nMore text.\n\n{{< figure src=\"a.jpg\"\n\nStill here  and  here.\n"
    );
    assert_eq!(warnings.len(), 4, "{warnings:?}");
}

#[test]
fn degenerate_constructs_do_not_panic() {
    for body in [
        "{{%}}",
        "{{</*/>}}",
        "{{%/*%}}",
        "{{<>}}",
        "{{< >}}",
        "{%%}",
        "{% %}",
        "{{}}",
        "{:}",
        "{::}",
        "{",
        "{{",
        "{{<",
        "{%",
        "{:",
        "`{%",
        "{% highlight",
        "{% raw %}",
        "{{< /x >}}",
        "{{ '' }}",
        "{{ \"x\" | relative_url }}",
        "{% post_url %}",
        "{{< ref >}}",
        "{{< figure >}}",
        "é{{<é>}}é",
    ] {
        let p = parse("posts/a.md", body);
        assert!(p.article.is_some(), "{body}: {:?}", p.diagnostics);
    }
}

#[test]
fn links_to_other_articles_are_recorded_up_to_a_bound() {
    let body = "{% post_url 2010-07-21-name %} ".repeat(1003);
    let p = parse("posts/2024-03-05-post.md", &body);
    assert!(p.diagnostics.len() == 3, "{:?}", p.diagnostics.len());
    assert!(p.diagnostics[0].message.contains("more than 1000 links"));
    assert_eq!(p.article.unwrap().link_refs.len(), 1000);
}

#[test]
fn large_inputs_are_rewritten_in_linear_time() {
    let mut small = config();
    small.content.max_file_bytes = 8 * 1024 * 1024;
    for unit in [
        "{% highlight c %}",
        "{% raw %}x",
        "{{< highlight go >}}",
        "{{< figure src=\"a\"",
        "{% x ",
        "{{ ",
        "{::comment}",
        "`{% a %}` ``",
        "{{</* ",
        "<pre>{% a %}",
        "~~~\n{% raw %}",
    ] {
        // A quadratic pass takes minutes on 4 MiB; the bound is loose because CI machines
        // are loaded and this is a debug build (bench/ has the real figures).
        let started = Instant::now();
        let text = format!(
            "---\ntitle: t\ndate: 2024-01-01\n---\n{}",
            unit.repeat(4 * 1024 * 1024 / unit.len())
        );
        let p = parse_article("a.md", text.as_bytes(), &small, ParseOptions::default());
        assert!(p.diagnostics.len() <= 51, "{unit}: {}", p.diagnostics.len());
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{unit}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn random_mixes_of_fragments_do_not_panic_and_keep_plain_text() {
    let fragments = [
        "{{< highlight go >}}",
        "{{< /highlight >}}",
        "{% endraw %}",
        "{% raw %}",
        "{::comment}",
        "{:/comment}",
        "{:toc}",
        "* TOC\n",
        "~~~",
        "\t",
        "\r\n",
        "{{</*",
        "*/>}}",
        "{% highlight c %}",
        "{% endhighlight %}",
        "{{ site.title }}",
        "{% post_url 2020-01-01-a %}",
        "{{< ref a >}}",
        "1. ",
        "{% comment %}",
        "{% endcomment %}",
        "{%",
        "%}",
        "{{",
        "}}",
        "{{<",
        ">}}",
        "{{%",
        "%}}",
        "/*",
        "*/",
        "{:",
        "}",
        "{::",
        "{:/",
        "`",
        "```",
        "\n",
        "\n\n",
        "    ",
        "- ",
        "<pre>",
        "</pre>",
        "<code>",
        "é",
        "raw",
        "endraw",
        "highlight",
        "endhighlight",
        " /",
        "comment",
        "figure src=a",
        "site.url",
        "\"",
        "=",
        "x",
    ];
    let mut seed: u64 = 0x5eed;
    for _ in 0..3000 {
        let mut body = String::new();
        for _ in 0..40 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            body.push_str(fragments[(seed >> 33) as usize % fragments.len()]);
        }
        body.push_str("\n\nTHE END\n");
        let p = parse("posts/a.md", &body);
        let a = p
            .article
            .unwrap_or_else(|| panic!("{body:?}: {:?}", p.diagnostics));
        // Nothing swallows the paragraph after the mix.
        assert!(a.body.contains("THE END"), "{body:?} -> {:?}", a.body);
    }
}
