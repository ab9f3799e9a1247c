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

    /// The engine context that checks this place.
    ///
    /// The fourth context, 家长群·学员群, has not landed in the engine yet.
    /// Until it does, such groups are checked with the strictest context
    /// there is, `public` (朋友圈·公众号): parents in a group are an audience,
    /// and erring strict there is what the policy asks. This is the only place
    /// that makes this choice; when the engine gains the context, map to it here.
    pub fn engine_context(self) -> Context {
        match self {
            Place::Engine(c) => c,
            Place::FamilyGroup => Context::Public,
        }
    }

    /// The label the reports show: the place, and the rules it was checked by
    /// when those differ.
    pub fn label_zh(self) -> &'static str {
        match self {
            Place::Engine(c) => c.label_zh(),
            Place::FamilyGroup => "家长群·学员群（按朋友圈·公众号规则检查）",
        }
    }

    /// The name in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Engine(c) => c.as_str(),
            Place::FamilyGroup => "family-group",
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
            (true, true, Place::FamilyGroup, Context::Public),
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
