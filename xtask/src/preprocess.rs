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
use crate::rule_docs;

pub struct HandbookPreprocessor {
    pub handbook: Arc<Handbook>,
}

impl Preprocessor for HandbookPreprocessor {
    fn name(&self) -> &str {
        "wx-handbook"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let handbook = &self.handbook;
        let note = |id: &str| rule_docs::clause_note(handbook, id);
        let options = Annotate {
            show_completion_marks: handbook.settings.show_completion_marks,
            clause_note: &note,
        };
        book.for_each_mut(|item| {
            let BookItem::Chapter(ch) = item else { return };
            let Some(page) = ch.source_path.as_ref().and_then(|p| handbook.pages.get(p)) else {
                return;
            };
            let text = match &page.chapter {
                Some(chapter) => chapter.annotate(&page.text, &options),
                None => page.text.clone(),
            };
            ch.content = text.replace("{{rule_catalogue}}", &rule_docs::catalogue(handbook));
        });
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> Result<bool> {
        Ok(renderer == "html")
    }
}
