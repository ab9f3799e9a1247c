//! The mdBook preprocessor that turns the admin's plain Markdown into the
//! handbook: settings filled in, clauses annotated with their IDs and anchors,
//! the rules that enforce each clause noted beside it, and the generated
//! 检查规则一览 page. It runs in-process (`MDBook::with_preprocessor`); all the
//! analysis it relies on was done, and validated, by [`Handbook::analyse`].

use std::sync::Arc;

use anyhow::Result;
use mdbook_driver::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::clauses::Annotate;
use crate::handbook::Handbook;
use crate::{draft_note, editions, rule_docs};

pub struct HandbookPreprocessor {
    pub handbook: Arc<Handbook>,
}

impl Preprocessor for HandbookPreprocessor {
    fn name(&self) -> &str {
        "wx-handbook"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let handbook = &self.handbook;
        let changes = handbook.editions.current_changes();
        let note = |id: &str| {
            let badge = handbook
                .clauses
                .get(id)
                .and_then(|c| editions::badge(&handbook.editions, &changes, c));
            let rules = rule_docs::clause_note(handbook, id);
            match (badge, rules) {
                (None, None) => None,
                (badge, rules) => Some(badge.unwrap_or_default() + &rules.unwrap_or_default()),
            }
        };
        let history = editions::history_html(&handbook.editions, &handbook.clauses);
        let options = Annotate { clause_note: &note };
        let draft = draft_note::html(handbook);
        book.for_each_mut(|item| {
            let BookItem::Chapter(ch) = item else { return };
            let Some(page) = ch.source_path.as_ref().and_then(|p| handbook.pages.get(p)) else {
                return;
            };
            let text = match &page.chapter {
                Some(chapter) => chapter.annotate(&page.text, &options),
                None => page.text.clone(),
            };
            ch.content = text
                .replace("{{rule_catalogue}}", &rule_docs::catalogue(handbook))
                .replace("{{edition_history}}", &history)
                .replace("{{edition_notice}}", editions::notice_html())
                .replace("{{draft_note}}", &draft);
        });
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> Result<bool> {
        Ok(renderer == "html")
    }
}
