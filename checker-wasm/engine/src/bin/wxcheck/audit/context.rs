//! Where a chat message was said, as the supervision group sees it, and which
//! of the engine's contexts checks it.

use crate::formats::Message;
use wxcheck::Context;

/// The places of a chat the audit tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// One of the engine's contexts, as named (a `--context` override, a
    /// draft's own context, or an inference that maps straight onto one).
    Engine(Context),
    /// A group with parents or students in it (家长群·学员群).
    FamilyGroup,
}

impl Place {
    /// Infers the place of one message: a room with someone external in it is
    /// a 家长群·学员群, an internal room or an internal one-to-one chat is work
    /// (工作群), a one-to-one chat with someone external is 客户私聊.
    pub fn infer(m: &Message) -> Place {
        match (m.room, m.external) {
            (true, true) => Place::FamilyGroup,
            (true, false) | (false, false) => Place::Engine(Context::Group),
            (false, true) => Place::Engine(Context::Customer),
        }
    }

    /// The engine context that checks this place: a 家长群·学员群 is the
    /// engine's own fourth context, `parents`.
    pub fn engine_context(self) -> Context {
        match self {
            Place::Engine(c) => c,
            Place::FamilyGroup => Context::Parents,
        }
    }

    /// The label the reports show: the place, and the rules it was checked by
    /// when those differ.
    pub fn label_zh(self) -> &'static str {
        match self {
            Place::Engine(c) => c.label_zh(),
            Place::FamilyGroup => Context::Parents.label_zh(),
        }
    }

    /// The name in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Engine(c) => c.as_str(),
            Place::FamilyGroup => Context::Parents.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inference() {
        let cases = [
            (
                false,
                true,
                Place::Engine(Context::Customer),
                Context::Customer,
            ),
            (true, true, Place::FamilyGroup, Context::Parents),
            (true, false, Place::Engine(Context::Group), Context::Group),
            (false, false, Place::Engine(Context::Group), Context::Group),
        ];
        for (room, external, place, engine) in cases {
            let m = Message {
                room,
                external,
                ..Message::default()
            };
            assert_eq!(Place::infer(&m), place);
            assert_eq!(place.engine_context(), engine);
        }
    }
}
