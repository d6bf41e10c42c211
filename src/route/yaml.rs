//! Gateway API objects from YAML (`egwc route --manifests`): `---`-separated documents or a
//! `v1` `List`, as `kubectl get … -o yaml` prints them. Gateways, HTTPRoutes, Services,
//! ReferenceGrants and Envoy Gateway `Backend`s are kept, and the other route kinds for `egwc
//! graph`; other kinds are ignored.

use serde_json::Value;

use super::Objects;

impl Objects {
    /// Adds the objects of one YAML text; an error names the document that is not one.
    pub fn add_yaml(&mut self, text: &str) -> Result<(), String> {
        // YAML 1.2's booleans only: `n` or `on` is a string, as a name or a label may be.
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        let documents: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options)
            .map_err(|e| format!("not YAML: {e}"))?;
        for (i, document) in documents.into_iter().enumerate() {
            self.add_value(document)
                .map_err(|e| format!("document {}: {e}", i + 1))?;
        }
        Ok(())
    }

    fn add_value(&mut self, object: Value) -> Result<(), String> {
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let kind = kind.as_str();
        let api = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let group = api.rsplit_once('/').map_or("", |(g, _)| g);
        match (group, kind) {
            (_, "List") => {
                let items = object.get("items").and_then(Value::as_array).cloned();
                for item in items.unwrap_or_default() {
                    self.add_value(item)?;
                }
            }
            ("gateway.networking.k8s.io", "Gateway") => self.gateways.push(typed(kind, object)?),
            ("gateway.networking.k8s.io", "HTTPRoute") => self.routes.push(typed(kind, object)?),
            ("gateway.networking.k8s.io", "ReferenceGrant") => {
                self.grants.push(typed(kind, object)?)
            }
            ("gateway.networking.k8s.io", "GRPCRoute" | "TCPRoute" | "UDPRoute" | "TLSRoute") => {
                let metadata = typed(kind, object["metadata"].clone())?;
                let spec = object.get("spec").cloned().unwrap_or_default();
                let route = crate::ir::RouteKind::from_kind(kind)
                    .and_then(|k| super::OtherRoute::new(k, metadata, spec))
                    .ok_or_else(|| format!("{kind}: not a route of this kind"))?;
                self.other_routes.push(route);
            }
            ("", "Service") => self.services.push(typed(kind, object)?),
            (crate::emit::api::ENVOY_GROUP, "Backend") => {
                let meta = |key: &str| {
                    object["metadata"][key]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                };
                let name = format!("{}/{}", meta("namespace"), meta("name"));
                self.others
                    .push((group.to_string(), "Backend".to_string(), name));
            }
            _ => {}
        }
        Ok(())
    }
}

fn typed<T: serde::de::DeserializeOwned>(kind: &str, object: Value) -> Result<T, String> {
    serde_json::from_value(object).map_err(|e| format!("{kind}: {e}"))
}
