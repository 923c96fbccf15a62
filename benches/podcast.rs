//! Cost of the podcast feed: a generated podcast of `PODCAST_EPISODES` episodes (default
//! 1,000), each with its own small MP3, published by the daemon's own path (`Site::rescan`
//! then `Site::publish`: every media file probed, every episode's show notes rendered, the
//! podcast feed written and compressed with the site's other documents), then republished
//! after one episode is edited (`Site::reload_paths` then `Site::publish`: media looks come
//! from the cache, the feed is written and compressed again), and republished with nothing
//! changed (the feed is written again; the snapshot finds the same bytes and reuses their
//! compressed forms, so this is the cost of writing it). The same corpus without a
//! `podcast:` section gives the baseline; the difference is what the podcast costs.
//!
//! ```sh
//! cargo bench --bench podcast
//! PODCAST_EPISODES=5000 cargo bench --bench podcast
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use feedwright::config::Config;
use feedwright::site::Site;
use feedwright::snapshot::Snapshot;

const EDITS: usize = 20;

fn write_corpus(dir: &Path, episodes: usize) {
    let mp3 = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/podcast/tone.mp3"),
    )
    .expect("fixture");
    let folder = dir.join("episodes");
    std::fs::create_dir_all(&folder).expect("mkdir");
    for n in 1..=episodes {
        std::fs::write(folder.join(format!("ep{n}.mp3")), &mp3).expect("write mp3");
        let day = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("date")
            + chrono::Days::new(n as u64);
        let text = format!(
            "---\ntitle: \"Episode {n}: a conversation & more\"\ndate: {day}\nenclosure: ep{n}.mp3\nepisode: {n}\nseason: {}\nsummary: Episode {n} in one line.\n---\nShow notes for episode {n}, with a [link](https://example.org/{n}) and *emphasis*.\n\n- topic one\n- topic two\n",
            n / 100 + 1
        );
        std::fs::write(folder.join(format!("ep{n}.md")), text).expect("write episode");
    }
}

fn config(dir: &Path, podcast: bool) -> Arc<Config> {
    let mut yaml = format!(
        "site: {{title: Bench, base_url: https://example.com/}}\ncontent: {{dir: {}}}\n",
        dir.display()
    );
    if podcast {
        yaml.push_str("podcast: {section: episodes, owner: {name: A, email: a@example.com}, image: https://example.com/a.jpg, categories: [Technology], media_settle_ms: 1}\n");
    }
    let path = dir.join("../feedwright.yaml");
    std::fs::write(&path, yaml).expect("config");
    let overrides = feedwright::config::Overrides {
        config_file: Some(path),
        ..Default::default()
    };
    Arc::new(Config::load(&overrides).expect("config"))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn run(dir: &Path, podcast: bool, episodes: usize) {
    let config = config(dir, podcast);
    let now: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().expect("now");
    let mut site = Site::new(Arc::clone(&config));
    let started = Instant::now();
    site.rescan().expect("scan");
    let (mut snapshot, stats) = site.publish(&Snapshot::starting(&config), now);
    let cold = started.elapsed();
    assert_eq!(stats.published, episodes);
    let feed_bytes = config
        .podcast
        .as_ref()
        .and_then(|p| snapshot.body(&p.path))
        .map_or(0, |b| b.len());
    let mut times = Vec::with_capacity(EDITS);
    for i in 0..EDITS {
        let source = format!("episodes/ep{}.md", i * 37 % episodes + 1);
        let path = dir.join(&source);
        let mut text = std::fs::read_to_string(&path).expect("read");
        text.push_str(&format!("\nEdit {i}.\n"));
        std::fs::write(&path, text).expect("edit");
        let started = Instant::now();
        site.reload_paths([source.as_str()]);
        let (next, _) = site.publish(&snapshot, now);
        times.push(started.elapsed());
        snapshot = next;
    }
    // Nothing changed: every document is written again, but the snapshot finds the same
    // bytes and reuses the compressed forms; this is the cost of writing the feeds.
    let mut same = Vec::with_capacity(EDITS);
    for _ in 0..EDITS {
        let started = Instant::now();
        let (next, _) = site.publish(&snapshot, now);
        same.push(started.elapsed());
        snapshot = next;
    }
    println!(
        "{:<10} {episodes} episodes: first load + publish {}; publish after one edit {}; publish with no change (documents written, not compressed) {} (medians of {EDITS}); podcast feed {} KB",
        if podcast { "podcast" } else { "no podcast" },
        ms(cold),
        ms(median(times)),
        ms(median(same)),
        feed_bytes / 1024
    );
}

fn main() {
    let episodes: usize = std::env::var("PODCAST_EPISODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("content");
    write_corpus(&dir, episodes);
    // Let the media files' modification times age past the 1 ms settle time.
    std::thread::sleep(Duration::from_millis(20));
    run(&dir, false, episodes);
    run(&dir, true, episodes);
}
