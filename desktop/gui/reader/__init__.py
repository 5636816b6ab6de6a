"""The reader pane: one message shown safely."""
