//! The site's own configuration file (Jekyll's `_config.yml`, Hugo's `hugo.yaml` or
//! `config.yaml`), for `{{ site.* }}` values feedwright's configuration does not have
//! (`site.repository`, `site.github_username`…): its top-level text and number values, read
//! once per content directory from that directory or the two above it. A change to that
//! file is seen at the next start.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

type Values = Arc<HashMap<String, String>>;

/// Read files by content directory.
static READ: OnceLock<Mutex<HashMap<PathBuf, Values>>> = OnceLock::new();

const FILE_NAMES: [&str; 4] = ["_config.yml", "_config.yaml", "hugo.yaml", "config.yaml"];

/// The value of `key` in the site file of `content_dir`, if there is one.
pub(super) fn site_value(content_dir: &Path, key: &str) -> Option<String> {
    let read = READ.get_or_init(Default::default);
    let values = {
        let mut read = read.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(
            read.entry(content_dir.to_path_buf())
                .or_insert_with(|| Arc::new(read_site_file(content_dir))),
        )
    };
    values.get(key).cloned()
}

fn read_site_file(content_dir: &Path) -> HashMap<String, String> {
    let mut values = HashMap::new();
    let Some(text) = content_dir
        .ancestors()
        .take(3)
        .flat_map(|dir| FILE_NAMES.iter().map(move |name| dir.join(name)))
        .find_map(|path| std::fs::read_to_string(path).ok())
    else {
        return values;
    };
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(&text)
    else {
        return values;
    };
    for (key, value) in map {
        let value = match value {
            serde_yaml::Value::String(s) => s,
            serde_yaml::Value::Number(n) => n.to_string(),
            serde_yaml::Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        if let serde_yaml::Value::String(key) = key {
            values.insert(key, value);
        }
    }
    values
}
