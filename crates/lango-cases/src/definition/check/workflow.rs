//! Checks of the workflow (reachable states, payment, requests for information) and outputs.

use super::super::model::*;
use super::{id_ok, Ck, MAX_STATES};
use regex::Regex;
use std::collections::{HashMap, HashSet, VecDeque};

impl<'a> Ck<'a> {
    pub(super) fn workflow(&mut self) {
        let wf = &self.file.workflow;
        if wf.states.len() > MAX_STATES {
            self.err(
                "workflow.states",
                format!("a workflow may have at most {MAX_STATES} states"),
            );
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (si, s) in wf.states.iter().enumerate() {
            if !id_ok(&s.id, false) {
                self.err(
                    format!("workflow.states[{si}].id"),
                    format!(
                        "state id `{}` must be lower-case letters, digits and `_`",
                        s.id
                    ),
                );
            }
            if ids.insert(&s.id, si).is_some() {
                self.err(
                    format!("workflow.states[{si}].id"),
                    format!("state id `{}` is used twice", s.id),
                );
            }
        }
        if !ids.contains_key(wf.start.as_str()) {
            self.err(
                "workflow.start",
                format!("there is no state `{}`", wf.start),
            );
        }
        let outputs: HashSet<&str> = self.file.outputs.iter().map(|o| o.id.as_str()).collect();
        let mut issued = HashSet::new();
        if !wf.states.iter().any(|s| s.outcome.is_some()) {
            self.err(
                "workflow.states",
                "a workflow needs at least one final state (with an `outcome`)",
            );
        }
        for (si, s) in wf.states.iter().enumerate() {
            let path = format!("workflow.states[{si}]");
            self.words(format!("{path}.label"), &s.label);
            if s.sla_days.is_some_and(|d| d == 0 || d > 365) {
                self.err(
                    format!("{path}.sla_days"),
                    "`sla_days` must be between 1 and 365",
                );
            }
            if s.outcome.is_some() {
                if !s.actions.is_empty() {
                    self.err(
                        format!("{path}.actions"),
                        "a final state (with an `outcome`) has no actions",
                    );
                }
                if s.paid_to.is_some() {
                    self.err(
                        format!("{path}.paid_to"),
                        "a final state (with an `outcome`) cannot wait for payment",
                    );
                }
            } else if s.actions.is_empty() && s.paid_to.is_none() {
                self.err(
                    path.clone(),
                    "a state that is not final needs `actions` or `paid_to`",
                );
            }
            if let Some(p) = &s.paid_to {
                if self.file.fees.is_none() {
                    self.err(
                        format!("{path}.paid_to"),
                        "`paid_to` waits for the fee, but the definition has no `fees`",
                    );
                }
                if s.actor != Actor::System {
                    self.err(format!("{path}.actor"), "a state with `paid_to` is moved by the platform: its actor must be `system`");
                }
                if !ids.contains_key(p.as_str()) {
                    self.err(
                        format!("{path}.paid_to"),
                        format!("there is no state `{p}`"),
                    );
                }
            }
            if s.actor == Actor::System {
                if s.paid_to.is_none() && s.outcome.is_none() {
                    self.err(format!("{path}.actor"), "only payment states (`paid_to`) and final states (`outcome`) may have actor `system`");
                }
                if !s.actions.is_empty() && s.outcome.is_none() {
                    self.err(
                        format!("{path}.actions"),
                        "nobody acts in a `system` state: it cannot have actions",
                    );
                }
            }
            let mut seen = HashSet::new();
            for (ai, a) in s.actions.iter().enumerate() {
                let ap = format!("{path}.actions[{ai}]");
                if !id_ok(&a.id, false) {
                    self.err(
                        format!("{ap}.id"),
                        format!(
                            "action id `{}` must be lower-case letters, digits and `_`",
                            a.id
                        ),
                    );
                } else if !seen.insert(a.id.as_str()) {
                    self.err(
                        format!("{ap}.id"),
                        format!("action id `{}` is used twice in this state", a.id),
                    );
                }
                self.words(format!("{ap}.label"), &a.label);
                let target = ids.get(a.to.as_str()).map(|i| &wf.states[*i]);
                if target.is_none() {
                    self.err(format!("{ap}.to"), format!("there is no state `{}`", a.to));
                }
                if let Some(o) = &a.issues {
                    if outputs.contains(o.as_str()) {
                        issued.insert(o.as_str());
                    } else {
                        self.err(format!("{ap}.issues"), format!("there is no output `{o}`"));
                    }
                }
                if a.request_info {
                    let Some(t) = target else { continue };
                    if t.actor != Actor::Applicant {
                        self.err(format!("{ap}.to"), format!("a `request_info` action must lead to a state whose actor is `applicant`; `{}` is not", t.id));
                        continue;
                    }
                    let back = !t.actions.is_empty()
                        && t.actions.iter().all(|b| {
                            ids.get(b.to.as_str()).is_some_and(|i| {
                                matches!(wf.states[*i].actor, Actor::Officer | Actor::Supervisor)
                                    || wf.states[*i].outcome.is_some()
                            })
                        })
                        && t.actions.iter().any(|b| {
                            ids.get(b.to.as_str()).is_some_and(|i| {
                                matches!(wf.states[*i].actor, Actor::Officer | Actor::Supervisor)
                            })
                        });
                    if !back {
                        self.err(format!("{ap}.to"), format!("the applicant state `{}` must have an action leading back to an officer or supervisor state", t.id));
                    }
                }
            }
        }
        for (oi, o) in self.file.outputs.iter().enumerate() {
            if !issued.contains(o.id.as_str()) {
                self.err(
                    format!("outputs[{oi}].id"),
                    format!(
                        "no action issues output `{}` (add `issues: {}` to an action)",
                        o.id, o.id
                    ),
                );
            }
        }
        // Every state reachable from the start.
        if let Some(&start) = ids.get(wf.start.as_str()) {
            let mut seen = vec![false; wf.states.len()];
            let mut queue = VecDeque::from([start]);
            seen[start] = true;
            while let Some(i) = queue.pop_front() {
                let s = &wf.states[i];
                let next = s
                    .actions
                    .iter()
                    .map(|a| a.to.as_str())
                    .chain(s.paid_to.as_deref());
                for n in next {
                    if let Some(&j) = ids.get(n) {
                        if !seen[j] {
                            seen[j] = true;
                            queue.push_back(j);
                        }
                    }
                }
            }
            for (si, s) in wf.states.iter().enumerate() {
                if !seen[si] {
                    self.err(
                        format!("workflow.states[{si}].id"),
                        format!(
                            "state `{}` cannot be reached from the start state `{}`",
                            s.id, wf.start
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn outputs(&mut self) {
        if self.file.outputs.len() > 10 {
            self.err("outputs", "a definition may have at most 10 outputs");
        }
        let mut seen = HashSet::new();
        let re = Regex::new(r"\{\{\s*([^{}]*?)\s*\}\}").expect("a fixed pattern");
        for (oi, o) in self.file.outputs.iter().enumerate() {
            let path = format!("outputs[{oi}]");
            if !id_ok(&o.id, false) {
                self.err(
                    format!("{path}.id"),
                    format!(
                        "output id `{}` must be lower-case letters, digits and `_`",
                        o.id
                    ),
                );
            } else if !seen.insert(o.id.as_str()) {
                self.err(
                    format!("{path}.id"),
                    format!("output id `{}` is used twice", o.id),
                );
            }
            self.words(format!("{path}.title"), &o.title);
            if o.valid_days.is_some() && o.valid_years.is_some() {
                self.err(
                    format!("{path}.valid_years"),
                    "give `valid_days` or `valid_years`, not both",
                );
            }
            if o.valid_days.is_some_and(|d| !(1..=36_500).contains(&d))
                || o.valid_years.is_some_and(|y| !(1..=100).contains(&y))
            {
                self.err(
                    format!("{path}.valid_days"),
                    "a document is valid 1 to 36500 days, or 1 to 100 years",
                );
            }
            let mut labels = HashSet::new();
            for (fi, f) in o.fields.iter().enumerate() {
                if f.label.en == "Service" || !labels.insert(f.label.en.as_str()) {
                    self.err(
                        format!("{path}.fields[{fi}].label"),
                        "key field labels are unique, and not `Service` (Lango adds the service)",
                    );
                }
            }
            if o.fields.len() > 6 {
                self.err(
                    format!("{path}.fields"),
                    "a document may have at most 6 key fields (they go into its QR code)",
                );
            }
            let mut texts = vec![(format!("{path}.template"), o.template.as_str())];
            if let Some(sw) = &o.template_sw {
                texts.push((format!("{path}.template_sw"), sw.as_str()));
            }
            for (fi, f) in o.fields.iter().enumerate() {
                self.words(format!("{path}.fields[{fi}].label"), &f.label);
                texts.push((format!("{path}.fields[{fi}].value"), f.value.as_str()));
            }
            for (at, text) in texts {
                self.template(&at, text, o, &re);
            }
        }
    }

    /// Checks one template text's length and placeholders.
    fn template(&mut self, at: &str, text: &str, o: &OutputDef, re: &Regex) {
        if text.len() > 20_000 {
            self.err(at, "a template is limited to 20000 characters");
        }
        for cap in re.captures_iter(text) {
            let name = cap.get(1).map_or("", |m| m.as_str());
            let ok = match name {
                "reference" | "applicant.name" | "issued_on" | "service" => true,
                "valid_until" => {
                    if o.valid_days.is_none() && o.valid_years.is_none() {
                        self.err(
                            at,
                            "`{{ valid_until }}` needs `valid_days` or `valid_years`",
                        );
                    }
                    true
                }
                _ => name
                    .strip_prefix("answers.")
                    .is_some_and(|f| self.fields.contains_key(f)),
            };
            if !ok {
                self.err(at, format!("unknown placeholder `{{{{ {name} }}}}`: use reference, applicant.name, issued_on, valid_until, service or answers.FIELD with an existing field"));
            }
        }
    }
}
