//! The group feeds' and archives' items (see [`crate::snapshot::ItemStore`]): which
//! published articles need theirs written, and writing them in batches, each article's body
//! read, rendered and let go with its batch.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use super::links::LinkTargets;
use super::selection::{self, Want};
use super::{Site, ITEM_BATCH};
use crate::content::Article;
use crate::feed;

impl Site {
    /// The published positions whose items the group feeds' members and the archived
    /// articles (`plan`) need and that are not `kept` yet, ascending.
    pub(super) fn items_needed(
        &self,
        published: &[Arc<Article>],
        (groups, plan): (&[feed::Group], &feed::ArchivePlan),
        kept: &[bool],
    ) -> Vec<usize> {
        let limit = self.config.feeds.group_limit;
        // Marked once per position: an article is in many groups.
        let mut wanted = vec![false; published.len()];
        let members = groups
            .iter()
            .flat_map(|g| g.members.iter().take(limit).copied());
        let archived = (0..plan.archives()).flat_map(|k| plan.positions(k));
        for at in members.chain(archived) {
            if let Some(w) = wanted.get_mut(at) {
                *w = true;
            }
        }
        (0..published.len())
            .filter(|&at| wanted[at] && !kept.get(at).copied().unwrap_or(false))
            .collect()
    }

    /// Writes the items of the `needed` published positions (see [`Site::items_needed`])
    /// into the item store ([`crate::snapshot::ItemStore`]), [`ITEM_BATCH`] articles at a
    /// time: their bodies are read, rendered, written as items and let go batch by batch, so
    /// memory stays bounded by a batch whatever the number of groups and archives. Marks
    /// them in `kept`. Returns whether a file was read again (the store may hold new
    /// problems).
    pub(super) fn write_items(
        &mut self,
        published: &[Arc<Article>],
        needed: &[usize],
        now: DateTime<Utc>,
        (link_targets, media): (Option<&LinkTargets>, &feed::EpisodeMediaMap),
        kept: &mut [bool],
    ) -> bool {
        let json = self.config.feeds.json_path.is_some();
        let mut reread = false;
        for batch in needed.chunks(ITEM_BATCH) {
            if self.budget.is_cancelled() {
                // Stopping: nothing made now would be served.
                break;
            }
            // The site feed's wants first: their bodies stay in the store (and are ready,
            // so not read again); the batch's go with the window.
            let mut wants = selection::wants(published, &self.config);
            wants.push(Want::batch(batch.to_vec()));
            let mut window = self.fill_window(published, &wants, now);
            reread |= window.reread();
            if let Some(targets) = link_targets {
                window.resolve_links(&self.config, targets);
            }
            let items = &self.items;
            let config = &self.config;
            let mut entries = window.entries(config);
            for entry in &mut entries {
                entry.media = media.get(&entry.article.source);
            }
            let new: Vec<feed::ItemXml> = entries
                .par_iter()
                .filter(|e| !items.has(&e.article.source, e.article.fingerprint, json))
                .map(|e| feed::item_xml(e, config))
                .collect();
            self.items.put(new);
        }
        for &at in needed {
            let article = &published[at];
            kept[at] = self.items.has(&article.source, article.fingerprint, json);
        }
        // The kept-bodies file is looked at by the window filled next (`Site::window`).
        reread
    }
}
