//! A recording of several topics fitted as one stream per topic: each topic's events go
//! to a [`Fitter`] of their own, and every topic is fitted over the whole recording's
//! window (so that a topic that starts late or stops early shows it in its rate).

use super::{Event, Fitted, Fitter, Options};

/// One [`Fitter`] per topic, in the order the topics are first seen.
#[derive(Debug, Default)]
pub struct Topics {
    options: Options,
    fitters: Vec<(Option<String>, Fitter)>,
}

/// What came of one topic.
#[derive(Debug)]
pub struct Topic {
    /// The topic's name (`None` for events that name no topic).
    pub name: Option<String>,
    /// How many events it had.
    pub events: usize,
    /// Its stream, or why it could not be fitted.
    pub fitted: Result<Fitted, String>,
}

impl Topics {
    /// No event read yet.
    pub fn new(options: Options) -> Topics {
        Topics {
            options,
            fitters: Vec::new(),
        }
    }

    /// Reads one event into its topic's fitter; the error says what is wrong with it.
    pub fn add(&mut self, event: Event<'_>) -> Result<(), String> {
        let at = match self
            .fitters
            .iter()
            .position(|(name, _)| name.as_deref() == event.topic)
        {
            Some(at) => at,
            None => {
                let fitter = Fitter::new(self.options.clone());
                self.fitters.push((event.topic.map(str::to_owned), fitter));
                self.fitters.len() - 1
            }
        };
        self.fitters[at].1.add(event)
    }

    /// Fits one topic as [`Fitter::fit`] does; several each over the recording's window,
    /// most events first. The error is for a recording with nothing to fit at all.
    pub fn fit(self) -> Result<Vec<Topic>, String> {
        if self.fitters.len() <= 1 {
            let (name, fitter) = self
                .fitters
                .into_iter()
                .next()
                .unwrap_or_else(|| (None, Fitter::new(Options::default())));
            let events = fitter.len();
            return fitter.fit().map(|fitted| {
                vec![Topic {
                    name,
                    events,
                    fitted: Ok(fitted),
                }]
            });
        }
        let window = self
            .fitters
            .iter()
            .filter_map(|(_, f)| f.bounds())
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
        let mut topics: Vec<Topic> = self
            .fitters
            .into_iter()
            .map(|(name, fitter)| Topic {
                name,
                events: fitter.len(),
                fitted: fitter.fit_within(window),
            })
            .collect();
        topics.sort_by_key(|t| std::cmp::Reverse(t.events));
        if topics.iter().all(|t| t.fitted.is_err()) {
            let why: Vec<String> = topics
                .iter()
                .filter_map(|t| {
                    t.fitted
                        .as_ref()
                        .err()
                        .map(|e| format!("{}: {e}", label(t)))
                })
                .collect();
            return Err(format!("no topic can be fitted ({})", why.join("; ")));
        }
        Ok(topics)
    }
}

/// `N events`, or `1 event`.
pub fn events(n: usize) -> String {
    format!("{n} event{}", if n == 1 { "" } else { "s" })
}

/// A topic's name as the messages say it.
pub fn label(topic: &Topic) -> String {
    topic
        .name
        .as_deref()
        .map_or_else(|| "(no topic)".to_string(), |n| format!("`{n}`"))
}
