//! The configuration's tests: defaults, precedence, validation and the errors' wording.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feedwright.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn config_site_language_must_be_a_language_tag() {
    let raw = |lang: &str| {
        let mut raw = RawConfig::default();
        raw.site.language = Some(lang.to_string());
        Config::from_raw(raw)
    };
    assert_eq!(raw("pt-BR").unwrap().site.language, "pt-BR");
    let e = raw("en_US").unwrap_err().to_string();
    assert!(e.contains("site.language") && e.contains("`en-US`"), "{e}");
    let e = raw("english").unwrap_err().to_string();
    assert!(e.contains("site.language") && e.contains("BCP 47"), "{e}");
}

#[test]
fn config_type_errors_speak_of_numbers_and_sections_not_rust_types() {
    for (text, wanted) in [
        ("feeds:\n  limit: -1\n", "whole number"),
        ("feeds: 3\n", "section of `key: value` settings"),
    ] {
        let e = RawConfig::from_yaml(text).unwrap_err();
        assert!(e.contains(wanted), "{e}");
        assert!(!e.contains("usize") && !e.contains("Raw"), "{e}");
    }
}

#[test]
fn base_url_defaults_to_the_listening_address() {
    let listening = |listen: &str| {
        let mut raw = RawConfig::default();
        raw.server.listen = Some(listen.into());
        Config::from_raw(raw).unwrap().site.base_url.to_string()
    };
    assert_eq!(listening("127.0.0.1:9000"), "http://127.0.0.1:9000/");
    assert_eq!(listening("0.0.0.0:8080"), "http://127.0.0.1:8080/");
    assert_eq!(listening("[::]:8080"), "http://[::1]:8080/");
    assert_eq!(listening("[::1]:80"), "http://[::1]/");
    assert_eq!(listening("192.0.2.7:8080"), "http://192.0.2.7:8080/");

    // The daemon's real port replaces a configured 0, unless base_url was given.
    let bound: SocketAddr = "127.0.0.1:41234".parse().unwrap();
    let mut raw = RawConfig::default();
    raw.server.listen = Some("127.0.0.1:0".into());
    let c = Config::from_raw(raw).unwrap().listening_on(bound);
    assert_eq!(c.site.base_url.as_str(), "http://127.0.0.1:41234/");
    let mut raw = RawConfig::default();
    raw.site.base_url = Some("https://example.com/blog/".into());
    let c = Config::from_raw(raw).unwrap().listening_on(bound);
    assert!(c.site.base_url_given);
    assert_eq!(c.site.base_url.as_str(), "https://example.com/blog/");
}

#[test]
fn config_defaults_work_without_any_file() {
    let c = Config::defaults();
    assert_eq!(c.content.dir, PathBuf::from("content"));
    assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.feeds.limit, 20);
    assert_eq!(c.content.summary_length, 300);
    assert_eq!(c.content.max_file_bytes, 4 * 1024 * 1024);
    assert_eq!(c.site.base_url.as_str(), "http://127.0.0.1:8080/");
    assert!(!c.site.base_url_given);
}

/// A `…_ms` key: `default` when unset; `FEEDWRIGHT_…` set to 1500 ms is read; 0 is an
/// error naming the key, from the environment and from the file.
fn assert_millis_key(key: &str, field: fn(&Config) -> Duration, default: Duration) {
    let (section, name) = key.split_once('.').expect("section.key");
    let var = format!("FEEDWRIGHT_{}", key.replace('.', "_").to_uppercase());
    assert_eq!(field(&Config::defaults()), default, "{key}");
    let set = env(&[(var.as_str(), "1500")]);
    let c = Config::load_with_env(&Overrides::default(), set).unwrap();
    assert_eq!(field(&c), Duration::from_millis(1500), "{key}");
    let zero = env(&[(var.as_str(), "0")]);
    let err = Config::load_with_env(&Overrides::default(), zero)
        .unwrap_err()
        .to_string();
    assert!(err.contains(key), "{err}");
    let yaml = format!("{section}:\n  {name}: 0\n");
    let err = Config::from_raw(RawConfig::from_yaml(&yaml).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains(key), "{err}");
}

#[test]
fn config_file_timeout_defaults_to_five_seconds_and_is_at_least_one_ms() {
    assert_millis_key(
        "content.file_timeout_ms",
        |c| c.content.file_timeout,
        Duration::from_secs(5),
    );
}

#[test]
fn config_reclaim_wait_defaults_to_250_ms_and_is_at_least_one_ms() {
    assert_millis_key(
        "server.reclaim_wait_ms",
        |c| c.server.reclaim_wait,
        Duration::from_millis(250),
    );
}

#[test]
fn config_workers_default_to_one_per_cpu() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(Config::defaults().server.workers, cpus);
    let zero = env(&[("FEEDWRIGHT_SERVER_WORKERS", "0")]);
    let c = Config::load_with_env(&Overrides::default(), zero).unwrap();
    assert_eq!(c.server.workers, cpus);
    let three = env(&[("FEEDWRIGHT_SERVER_WORKERS", "3")]);
    let c = Config::load_with_env(&Overrides::default(), three).unwrap();
    assert_eq!(c.server.workers, 3);
}

#[test]
fn config_precedence_defaults_file_env_flags() {
    let (_d, path) = write_config(
        "site:\n  title: From file\n  base_url: https://file.example/\nfeeds:\n  limit: 5\n",
    );
    let overrides = Overrides {
        config_file: Some(path.clone()),
        ..Default::default()
    };
    let c = Config::load_with_env(&overrides, env(&[])).unwrap();
    assert_eq!(c.site.title, "From file");
    assert_eq!(c.feeds.limit, 5);

    let e = env(&[
        ("FEEDWRIGHT_SITE_BASE_URL", "https://env.example/blog"),
        ("FEEDWRIGHT_FEEDS_LIMIT", "7"),
        ("UNRELATED", "x"),
    ]);
    let c = Config::load_with_env(&overrides, e.clone()).unwrap();
    assert_eq!(c.site.base_url.as_str(), "https://env.example/blog/");
    assert_eq!(c.feeds.limit, 7);
    assert_eq!(c.site.title, "From file");

    let flags = Overrides {
        config_file: Some(path),
        base_url: Some("https://flag.example/".into()),
        content_dir: Some("elsewhere".into()),
        listen: Some("127.0.0.1:0".into()),
    };
    let c = Config::load_with_env(&flags, e).unwrap();
    assert_eq!(c.site.base_url.as_str(), "https://flag.example/");
    assert_eq!(c.content.dir, PathBuf::from("elsewhere"));
    assert_eq!(c.server.listen.port(), 0);
}

#[test]
fn config_unknown_key_is_named() {
    let (_d, path) = write_config("site:\n  titel: typo\n");
    let overrides = Overrides {
        config_file: Some(path),
        ..Default::default()
    };
    let err = Config::load_with_env(&overrides, env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("titel"), "{err}");
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn config_wrong_type_is_named() {
    let (_d, path) = write_config("feeds:\n  limit: many\n");
    let overrides = Overrides {
        config_file: Some(path),
        ..Default::default()
    };
    let err = Config::load_with_env(&overrides, env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("feeds.limit"), "{err}");
}

#[test]
fn config_bad_env_is_named() {
    let err = Config::load_with_env(
        &Overrides::default(),
        env(&[("FEEDWRIGHT_FEEDS_LIMIT", "x")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("FEEDWRIGHT_FEEDS_LIMIT"), "{err}");
    let err = Config::load_with_env(&Overrides::default(), env(&[("FEEDWRIGHT_SITE_NOPE", "x")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("FEEDWRIGHT_SITE_NOPE"), "{err}");
}

#[test]
fn config_validation_names_the_key() {
    let cases = [
        ("site:\n  timezone: Mars/Olympus\n", "site.timezone"),
        ("site:\n  base_url: not a url\n", "site.base_url"),
        (
            "site:\n  base_url: https://u:pw@example.com/\n",
            "site.base_url",
        ),
        (
            "site:\n  base_url: https://u@example.com/\n",
            "site.base_url",
        ),
        ("site:\n  base_url: http://my_host/\n", "site.base_url"),
        ("site:\n  base_url: http://-a.example/\n", "site.base_url"),
        ("content:\n  permalink: /{title}/\n", "content.permalink"),
        ("content:\n  permalink: /../{slug}/\n", "content.permalink"),
        ("content:\n  permalink: /%2E/{slug}/\n", "content.permalink"),
        (
            "content:\n  permalink: \"/a\\\\b/{slug}/\"\n",
            "content.permalink",
        ),
        ("server:\n  listen: localhost\n", "server.listen"),
        ("feeds:\n  limit: 0\n", "feeds.limit"),
        ("feeds:\n  entry_id: \"{link}\"\n", "feeds.entry_id"),
        ("feeds:\n  atom_path: /feed.xml\n", "feeds.atom_path"),
        ("feeds:\n  rss_path: /../../escape.xml\n", "feeds.rss_path"),
        ("feeds:\n  atom_path: /a/%2e%2E/x.xml\n", "feeds.atom_path"),
        ("feeds:\n  index_path: /./\n", "feeds.index_path"),
        (
            "feeds:\n  rss_alias_path: \"/a\\\\b.xml\"\n",
            "feeds.rss_alias_path",
        ),
        ("log:\n  level: warning\n", "log.level"),
        ("log:\n  level: verbose\n", "log.level"),
        ("log:\n  level: \"info,=[\"\n", "log.level"),
        ("server:\n  workers: 1000\n", "server.workers"),
    ];
    for (text, key) in cases {
        let (_d, path) = write_config(text);
        let overrides = Overrides {
            config_file: Some(path),
            ..Default::default()
        };
        let err = Config::load_with_env(&overrides, env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains(key), "{text:?} -> {err}");
    }
}

#[test]
fn config_base_url_credentials_are_not_echoed() {
    let flags = Overrides {
        base_url: Some("https://user:s3cret@example.com/".into()),
        ..Default::default()
    };
    let err = Config::load_with_env(&flags, env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("site.base_url"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
}

#[test]
fn config_base_url_may_be_an_ipv6_address() {
    let flags = Overrides {
        base_url: Some("http://[::1]:8080/".into()),
        ..Default::default()
    };
    assert!(Config::load_with_env(&flags, env(&[])).is_ok());
}

#[test]
fn config_author_accepts_string_or_mapping() {
    let (_d, path) = write_config("site:\n  author: {name: Ada, email: ada@example.com}\n");
    let overrides = Overrides {
        config_file: Some(path),
        ..Default::default()
    };
    let c = Config::load_with_env(&overrides, env(&[])).unwrap();
    assert_eq!(c.site.author.email.as_deref(), Some("ada@example.com"));
}
