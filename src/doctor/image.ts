/**
 * The doctor's worker image check: WORKER_IMAGE is set and its tag exists in its registry (any OCI registry,
 * through the distribution API with an anonymous token), and whoever must pull it can: EC2 instances log in to
 * ECR only, RunPod needs RUNPOD_REGISTRY_AUTH_ID for any private image.
 */
import { describeFailure } from "../cloud/health.js";
import type { Config } from "../config.js";
import { type CheckResult, fail, ok, skip } from "./report.js";

const GROUP = "Worker image";
const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");
const PUSH_FIX = (image: string) =>
  `build and push it (README.md, Cloud deployment step 2): docker build -t ${image} . && docker push ${image}`;

export interface ImageReference {
  registry: string;
  repository: string;
  reference: string;
}

/** `ghcr.io/org/worker:1.0` → ghcr.io, org/worker, 1.0; `worker` → Docker Hub's library/worker:latest. */
export function parseImage(image: string): ImageReference {
  const [first, ...rest] = image.split("/");
  const hasRegistry = rest.length > 0 && (/[.:]/.test(first) || first === "localhost");
  const registry = hasRegistry ? first : "registry-1.docker.io";
  let path = hasRegistry ? rest.join("/") : image;
  if (!hasRegistry && !path.includes("/")) path = `library/${path}`;
  const digest = path.indexOf("@");
  if (digest >= 0) return { registry, repository: path.slice(0, digest), reference: path.slice(digest + 1) };
  const colon = path.lastIndexOf(":");
  return colon > path.lastIndexOf("/")
    ? { registry, repository: path.slice(0, colon), reference: path.slice(colon + 1) }
    : { registry, repository: path, reference: "latest" };
}

export function isEcr(registry: string): boolean {
  return /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(registry);
}

export async function imageChecks(config: Config, fetchImpl: typeof fetch = fetch): Promise<CheckResult[]> {
  const image = config.aws.workerImage;
  const ec2 = Boolean(config.aws.s3Bucket && config.aws.ec2AmiId);
  const runpod = Boolean(config.runpod.apiKey && config.runpod.networkVolumeId);
  if (!image) {
    if (!ec2 && !runpod) return [skip(GROUP, "WORKER_IMAGE", "not needed (no cloud training configured)")];
    return [
      fail(
        GROUP,
        "WORKER_IMAGE",
        "not set: cloud training has nothing to run",
        `${PUSH_FIX("<registry>/sma-worker:1.0.0")}, then set WORKER_IMAGE`,
      ),
    ];
  }
  const ref = parseImage(image);
  if (isEcr(ref.registry)) {
    if (runpod && !config.runpod.registryAuthId) {
      return [
        fail(
          GROUP,
          image,
          "a private ECR image: RunPod cannot pull it without credentials",
          registryAuthFix(),
        ),
      ];
    }
    return [ok(GROUP, image, "Amazon ECR: EC2 instances pull it with their instance profile")];
  }
  let access: "public" | "private" | "missing";
  try {
    access = await manifestAccess(ref, fetchImpl);
  } catch (error) {
    return [
      fail(
        GROUP,
        image,
        `registry unreachable: ${describeFailure(error)}`,
        "check the image name and the registry",
      ),
    ];
  }
  if (access === "missing") return [fail(GROUP, image, "no such tag in the registry", PUSH_FIX(image))];
  if (access === "public") return [ok(GROUP, image, "exists, and anyone can pull it")];
  if (ec2) {
    return [
      fail(
        GROUP,
        image,
        "private (or missing): EC2 instances log in to ECR only",
        `push it to ECR, or make it public`,
      ),
    ];
  }
  if (!config.runpod.registryAuthId)
    return [fail(GROUP, image, "private (or missing): RunPod cannot pull it", registryAuthFix())];
  return [ok(GROUP, image, "private: RunPod pulls it with RUNPOD_REGISTRY_AUTH_ID")];
}

function registryAuthFix(): string {
  return "add the registry's credentials in RunPod (Console → Settings → Container Registry Auth) and set RUNPOD_REGISTRY_AUTH_ID to their id";
}

/** Whether the tag's manifest can be read anonymously (public), needs credentials (private), or is missing. */
async function manifestAccess(
  ref: ImageReference,
  fetchImpl: typeof fetch,
): Promise<"public" | "private" | "missing"> {
  const local = /^(localhost|127\.0\.0\.1)(:|$)/.test(ref.registry);
  const url = `${local ? "http" : "https"}://${ref.registry}/v2/${ref.repository}/manifests/${ref.reference}`;
  const headers = { accept: MANIFEST_TYPES };
  const signal = () => AbortSignal.timeout(10_000);
  let response = await fetchImpl(url, { method: "HEAD", headers, signal: signal() });
  if (response.status === 401) {
    const token = await anonymousToken(response.headers.get("www-authenticate"), ref, fetchImpl);
    if (!token) return "private";
    response = await fetchImpl(url, {
      method: "HEAD",
      headers: { ...headers, authorization: `Bearer ${token}` },
      signal: signal(),
    });
  }
  if (response.ok) return "public";
  if (response.status === 404) return "missing";
  if (response.status === 401 || response.status === 403) return "private";
  throw new Error(`HTTP ${response.status} from ${ref.registry}`);
}

/** The registry's anonymous pull token (the Bearer challenge of the distribution spec), if it gives one. */
async function anonymousToken(
  challenge: string | null,
  ref: ImageReference,
  fetchImpl: typeof fetch,
): Promise<string | undefined> {
  const params = Object.fromEntries(
    [...(challenge ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  if (!/^Bearer/i.test(challenge ?? "") || !params.realm) return undefined;
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set("service", params.service);
  url.searchParams.set("scope", `repository:${ref.repository}:pull`);
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}
