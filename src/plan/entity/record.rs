//! The ground truth of an entity stream's entities: filled in later.
