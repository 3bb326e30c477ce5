// Validates the built-in Kubernetes kinds (and PodMonitor) of manifests offline with the npm kubernetes-models
// packages, installed next to this file: npm install --prefix k8s/tools (see package.json).
// usage: node k8s/tools/validate-builtin.mjs FILE.yaml...   Exits 1 on any failure.
// These models check types and required fields, not unknown fields (validate.py does that for custom resources).
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const models = {
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor,
};

let failed = false;
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8")).filter(Boolean)) {
    const Model = models[`${doc.apiVersion}/${doc.kind}`];
    if (!Model) continue;
    try {
      new Model(doc).validate();
      console.log(`PASS     ${file}: ${doc.kind} ${doc.metadata?.name}`);
    } catch (e) {
      failed = true;
      console.log(`FAIL     ${file}: ${doc.kind} ${doc.metadata?.name}: ${e.message}`);
    }
  }
}
process.exit(failed ? 1 : 0);
