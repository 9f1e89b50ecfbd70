/**
 * One zod schema over the environment. A bad value is a startup error that names the variable and says
 * what is expected; secrets never appear in that message.
 */
import { z } from "zod";
import { CloudConfigurationError } from "./errors.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const idList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v || v.trim() === "") return [] as number[];
    const ids = v.split(/[\s,]+/).filter(Boolean);
    const out: number[] = [];
    for (const id of ids) {
      if (!/^\d{1,15}$/.test(id)) {
        ctx.addIssue({
          code: "custom",
          message: `expected comma-separated numeric Telegram user ids, got "${id}"`,
        });
        return z.NEVER;
      }
      out.push(Number(id));
    }
    return out;
  });

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const positiveNumber = (fallback: number) => z.coerce.number().positive().max(1_000_000).default(fallback);

/** Variables whose values are secrets: never logged, never echoed in errors. */
export const SECRET_VARIABLES = [
  "BOT_TOKEN",
  "MODEL_SIGNING_KEY",
  "WEBHOOK_SECRET",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "RUNPOD_API_KEY",
  "RUNPOD_STORAGE_ACCESS_KEY",
  "RUNPOD_STORAGE_SECRET_KEY",
] as const;

const envSchema = z.object({
  // Telegram
  BOT_TOKEN: optionalString.refine((v) => v === undefined || /^\d+:[\w-]{20,}$/.test(v), {
    message: "expected a token from @BotFather, like 123456:ABC-DEF…",
  }),
  TELEGRAM_API_ROOT: z
    .url({ message: "expected an http(s) URL such as https://api.telegram.org" })
    .default("https://api.telegram.org")
    .refine((v) => !v.endsWith("/"), { message: "must not end with '/'" }),
  WEBHOOK_URL: optionalString.pipe(z.url().optional()),
  WEBHOOK_SECRET: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
    message: "1–256 characters: letters, digits, _ and - (Telegram's rule for secret_token)",
  }),
  // 0 picks a free port (tests).
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PLAYGROUND: bool,
  PLAYGROUND_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ALLOWED_USER_IDS: idList,
  ADMIN_USER_IDS: idList,
  RATE_LIMIT_PER_MINUTE: positiveInt(40),
  // Outgoing pacing, just under Telegram's flood limits.
  TELEGRAM_PER_CHAT_PER_SECOND: z.coerce.number().positive().max(1000).default(0.9),
  TELEGRAM_PER_CHAT_BURST: positiveInt(8),
  TELEGRAM_GLOBAL_PER_SECOND: z.coerce.number().positive().max(10_000).default(25),
  // State
  REDIS_URL: optionalString.pipe(z.url({ message: "expected redis://host:port[/db]" }).optional()),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,40}$/)
    .default("sma"),
  // Storage and local compute
  DATA_DIR: z.string().min(1).default(".data"),
  // Where datasets, models and results live: DATA_DIR, or the S3 bucket (S3_BUCKET) with a cache in DATA_DIR
  STORAGE: z.enum(["local", "s3"]).default("local"),
  STORAGE_CACHE_MB: z.coerce.number().int().min(0).max(1_048_576).default(1024),
  MODEL_SIGNING_KEY: optionalString.refine((v) => v === undefined || v.length >= 32, {
    message: "must be at least 32 characters (for example: openssl rand -hex 32)",
  }),
  LOCAL_MAX_CONCURRENT_JOBS: z.coerce.number().int().min(1).max(64).optional(),
  JOB_DEADLINE_MINUTES: positiveInt(60),
  // The worker fleet (with REDIS_URL): a worker inside the bot (FLEET_IN_PROCESS_WORKER=false: none)
  FLEET_IN_PROCESS_WORKER: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  FLEET_USER_MAX_RUNNING: positiveInt(2),
  FLEET_JOB_MEMORY_MB: z.coerce.number().int().min(128).max(1_048_576).default(4096),
  RECONCILE_INTERVAL_MINUTES: positiveInt(5),
  // Data limits
  MAX_UPLOAD_MB: positiveNumber(20),
  MAX_ROWS: positiveInt(1_000_000),
  MAX_COLUMNS: positiveInt(1_000),
  MAX_CELL_LENGTH: positiveInt(10_000),
  MAX_CELLS: positiveInt(50_000_000),
  MAX_UNPACKED_MB: positiveNumber(200),
  DOWNLOAD_TIMEOUT_SECONDS: positiveInt(120),
  // The sandbox that reads uploads
  INGEST_MEMORY_MB: z.coerce.number().int().min(64).max(65_536).default(1024),
  INGEST_TIMEOUT_SECONDS: positiveInt(120),
  INGEST_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(2),
  // Budgets (dollars)
  MAX_TRAINING_COST: positiveNumber(10),
  MAX_PREDICTION_COST: positiveNumber(1),
  MONTHLY_BUDGET: positiveNumber(50),
  MONTHLY_BUDGET_TOTAL: positiveNumber(200),
  PAID_USER_IDS: idList,
  PAID_COMPUTE_FOR_EVERYONE: bool,
  COST_WARNING_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  // Logging
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // AWS (seed CloudConfig)
  AWS_REGION: z.string().default("us-east-1"),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_SESSION_TOKEN: optionalString,
  AWS_PROFILE: optionalString,
  S3_BUCKET: optionalString,
  S3_ENDPOINT: optionalString.pipe(z.url().optional()),
  S3_FORCE_PATH_STYLE: bool,
  S3_CHECKSUM_WHEN_REQUIRED: bool,
  S3_DATASET_EXPIRY_DAYS: positiveInt(90),
  S3_RESULT_EXPIRY_DAYS: positiveInt(30),
  KMS_KEY_ID: optionalString,
  EC2_INSTANCE_TYPE: z.string().default("m5.large"),
  EC2_AMI_ID: optionalString,
  EC2_KEY_NAME: optionalString,
  EC2_SECURITY_GROUP: optionalString,
  EC2_SUBNET_ID: optionalString,
  EC2_IAM_INSTANCE_PROFILE: optionalString,
  EC2_SPOT_MAX_PRICE: z.coerce.number().positive().optional(),
  EC2_USE_SPOT: bool,
  LAMBDA_FUNCTION_NAME: z.string().default("ml-agent-prediction"),
  LAMBDA_MEMORY_MB: z.coerce.number().int().min(128).max(10240).default(3008),
  LAMBDA_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(900).default(900),
  LAMBDA_LAYER_ARN: optionalString,
  // The worker image the operator publishes (src/worker/README.md); cloud training needs it.
  WORKER_IMAGE: optionalString,
  // RunPod (seed RunPodConfig)
  RUNPOD_API_KEY: optionalString,
  RUNPOD_API_URL: z.url().default("https://api.runpod.io/graphql"),
  RUNPOD_SERVERLESS_URL: z.url().default("https://api.runpod.ai/v2"),
  RUNPOD_STORAGE_ENDPOINT: optionalString.pipe(z.url().optional()),
  RUNPOD_NETWORK_VOLUME_ID: optionalString,
  RUNPOD_DATA_CENTER_ID: optionalString,
  RUNPOD_STORAGE_ACCESS_KEY: optionalString,
  RUNPOD_STORAGE_SECRET_KEY: optionalString,
  RUNPOD_DEFAULT_GPU_TYPE: z.string().default("NVIDIA RTX A5000"),
  // Spot pods are undocumented since 2026-05 (runpod-api.md): offered only when the operator opts in.
  RUNPOD_ALLOW_SPOT: bool,
  RUNPOD_REGISTRY_AUTH_ID: optionalString,
  RUNPOD_SERVERLESS_ENDPOINT_ID: optionalString,
  RUNPOD_POD_READY_TIMEOUT_SECONDS: positiveInt(300),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the bot reads (.env.example lists each one; a test checks it). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface Config {
  telegram: {
    token?: string;
    apiRoot: string;
    webhookUrl?: string;
    webhookSecret?: string;
    port: number;
    allowedUserIds: number[];
    adminUserIds: number[];
    rateLimitPerMinute: number;
    /** How fast the bot sends: per chat (after a burst) and overall. */
    outgoing: {
      perChatPerSecond: number;
      perChatBurst: number;
      perGroupPerMinute: number;
      globalPerSecond: number;
    };
    /** Bytes a bot may download: 20 MB on the public Bot API, up to 2 GB with a self-hosted server. */
    maxDownloadBytes: number;
  };
  playground: { forced: boolean; port: number };
  redis: { url?: string; prefix: string };
  dataDir: string;
  /** User storage: DATA_DIR, or S3 (S3_BUCKET) with a read-through cache of `cacheMb` in DATA_DIR. */
  storage: { kind: "local" | "s3"; cacheMb: number };
  modelSigningKey?: string;
  compute: { localMaxConcurrentJobs?: number; jobDeadlineMinutes: number; reconcileIntervalMinutes: number };
  /** Workers that take jobs from the BullMQ queues (REDIS_URL set). */
  fleet: { inProcessWorker: boolean; userMaxRunning: number; jobMemoryMb: number };
  limits: {
    maxUploadBytes: number;
    maxRows: number;
    maxColumns: number;
    maxCellLength: number;
    maxCells: number;
    /** What a compressed upload (.xlsx, .parquet) may unpack to. */
    maxUnpackedBytes: number;
    /** Longest a download from Telegram may take. */
    downloadTimeoutMs: number;
  };
  /** The sandboxed child processes that read uploads. */
  ingest: { memoryMb: number; timeoutSeconds: number; maxConcurrent: number };
  budget: {
    maxTrainingCost: number;
    maxPredictionCost: number;
    monthlyBudget: number;
    /** Dollars all users together may spend on paid compute in a month. */
    monthlyTotal: number;
    /** Who may use paid compute (PAID_USER_IDS, else ALLOWED_USER_IDS); empty means nobody, unless… */
    paidUserIds: number[];
    /** …the operator of an open bot opts in to paid compute for everyone (PAID_COMPUTE_FOR_EVERYONE). */
    paidForEveryone: boolean;
    warningThreshold: number;
  };
  logLevel: Env["LOG_LEVEL"];
  aws: {
    region: string;
    accessKeyId?: string;
    secretAccessKey?: string;
    sessionToken?: string;
    profile?: string;
    s3Bucket?: string;
    s3Endpoint?: string;
    s3ForcePathStyle: boolean;
    checksumWhenRequired: boolean;
    datasetExpiryDays: number;
    resultExpiryDays: number;
    kmsKeyId?: string;
    ec2InstanceType: string;
    ec2AmiId?: string;
    ec2KeyName?: string;
    ec2SecurityGroup?: string;
    ec2SubnetId?: string;
    ec2IamInstanceProfile?: string;
    ec2SpotMaxPrice?: number;
    ec2UseSpot: boolean;
    lambdaFunctionName: string;
    lambdaMemoryMb: number;
    lambdaTimeoutSeconds: number;
    lambdaLayerArn?: string;
    workerImage?: string;
  };
  runpod: {
    apiKey?: string;
    apiUrl: string;
    serverlessUrl: string;
    storageEndpoint?: string;
    networkVolumeId?: string;
    dataCenterId?: string;
    storageAccessKey?: string;
    storageSecretKey?: string;
    defaultGpuType: string;
    allowSpot: boolean;
    /** RunPod's id of the container registry credentials for a private WORKER_IMAGE. */
    registryAuthId?: string;
    serverlessEndpointId?: string;
    podReadyTimeoutSeconds: number;
    workerImage?: string;
  };
}

const PUBLIC_BOT_API_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const SELF_HOSTED_BOT_API_DOWNLOAD_BYTES = 2000 * 1024 * 1024;

/** Parses the environment. Throws CloudConfigurationError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
    throw new CloudConfigurationError(`Invalid configuration. ${problems.join("; ")}`, {
      variables: parsed.error.issues.map((issue) => String(issue.path[0])),
    });
  }
  const e = parsed.data;
  const selfHosted = e.TELEGRAM_API_ROOT !== "https://api.telegram.org";
  return {
    telegram: {
      token: e.BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT,
      webhookUrl: e.WEBHOOK_URL,
      webhookSecret: e.WEBHOOK_SECRET,
      port: e.PORT,
      allowedUserIds: e.ALLOWED_USER_IDS,
      adminUserIds: e.ADMIN_USER_IDS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      outgoing: {
        perChatPerSecond: e.TELEGRAM_PER_CHAT_PER_SECOND,
        perChatBurst: e.TELEGRAM_PER_CHAT_BURST,
        perGroupPerMinute: 18,
        globalPerSecond: e.TELEGRAM_GLOBAL_PER_SECOND,
      },
      maxDownloadBytes: selfHosted ? SELF_HOSTED_BOT_API_DOWNLOAD_BYTES : PUBLIC_BOT_API_DOWNLOAD_BYTES,
    },
    playground: { forced: e.PLAYGROUND, port: e.PLAYGROUND_PORT },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    dataDir: e.DATA_DIR,
    storage: { kind: e.STORAGE, cacheMb: e.STORAGE_CACHE_MB },
    modelSigningKey: e.MODEL_SIGNING_KEY,
    compute: {
      localMaxConcurrentJobs: e.LOCAL_MAX_CONCURRENT_JOBS,
      jobDeadlineMinutes: e.JOB_DEADLINE_MINUTES,
      reconcileIntervalMinutes: e.RECONCILE_INTERVAL_MINUTES,
    },
    fleet: {
      inProcessWorker: e.FLEET_IN_PROCESS_WORKER,
      userMaxRunning: e.FLEET_USER_MAX_RUNNING,
      jobMemoryMb: e.FLEET_JOB_MEMORY_MB,
    },
    limits: {
      maxUploadBytes: Math.round(e.MAX_UPLOAD_MB * 1024 * 1024),
      maxRows: e.MAX_ROWS,
      maxColumns: e.MAX_COLUMNS,
      maxCellLength: e.MAX_CELL_LENGTH,
      maxCells: e.MAX_CELLS,
      maxUnpackedBytes: Math.round(e.MAX_UNPACKED_MB * 1024 * 1024),
      downloadTimeoutMs: e.DOWNLOAD_TIMEOUT_SECONDS * 1000,
    },
    ingest: {
      memoryMb: e.INGEST_MEMORY_MB,
      timeoutSeconds: e.INGEST_TIMEOUT_SECONDS,
      maxConcurrent: e.INGEST_MAX_CONCURRENT,
    },
    budget: {
      maxTrainingCost: e.MAX_TRAINING_COST,
      maxPredictionCost: e.MAX_PREDICTION_COST,
      monthlyBudget: e.MONTHLY_BUDGET,
      monthlyTotal: e.MONTHLY_BUDGET_TOTAL,
      paidUserIds: e.PAID_USER_IDS.length > 0 ? e.PAID_USER_IDS : e.ALLOWED_USER_IDS,
      paidForEveryone: e.PAID_COMPUTE_FOR_EVERYONE,
      warningThreshold: e.COST_WARNING_THRESHOLD,
    },
    logLevel: e.LOG_LEVEL,
    aws: {
      region: e.AWS_REGION,
      accessKeyId: e.AWS_ACCESS_KEY_ID,
      secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
      sessionToken: e.AWS_SESSION_TOKEN,
      profile: e.AWS_PROFILE,
      s3Bucket: e.S3_BUCKET,
      s3Endpoint: e.S3_ENDPOINT,
      s3ForcePathStyle: e.S3_FORCE_PATH_STYLE,
      checksumWhenRequired: e.S3_CHECKSUM_WHEN_REQUIRED,
      datasetExpiryDays: e.S3_DATASET_EXPIRY_DAYS,
      resultExpiryDays: e.S3_RESULT_EXPIRY_DAYS,
      kmsKeyId: e.KMS_KEY_ID,
      ec2InstanceType: e.EC2_INSTANCE_TYPE,
      ec2AmiId: e.EC2_AMI_ID,
      ec2KeyName: e.EC2_KEY_NAME,
      ec2SecurityGroup: e.EC2_SECURITY_GROUP,
      ec2SubnetId: e.EC2_SUBNET_ID,
      ec2IamInstanceProfile: e.EC2_IAM_INSTANCE_PROFILE,
      ec2SpotMaxPrice: e.EC2_SPOT_MAX_PRICE,
      ec2UseSpot: e.EC2_USE_SPOT,
      lambdaFunctionName: e.LAMBDA_FUNCTION_NAME,
      lambdaMemoryMb: e.LAMBDA_MEMORY_MB,
      lambdaTimeoutSeconds: e.LAMBDA_TIMEOUT_SECONDS,
      lambdaLayerArn: e.LAMBDA_LAYER_ARN,
      workerImage: e.WORKER_IMAGE,
    },
    runpod: {
      apiKey: e.RUNPOD_API_KEY,
      apiUrl: e.RUNPOD_API_URL,
      serverlessUrl: e.RUNPOD_SERVERLESS_URL,
      storageEndpoint: e.RUNPOD_STORAGE_ENDPOINT,
      networkVolumeId: e.RUNPOD_NETWORK_VOLUME_ID,
      dataCenterId: e.RUNPOD_DATA_CENTER_ID,
      storageAccessKey: e.RUNPOD_STORAGE_ACCESS_KEY,
      storageSecretKey: e.RUNPOD_STORAGE_SECRET_KEY,
      defaultGpuType: e.RUNPOD_DEFAULT_GPU_TYPE,
      allowSpot: e.RUNPOD_ALLOW_SPOT,
      registryAuthId: e.RUNPOD_REGISTRY_AUTH_ID,
      serverlessEndpointId: e.RUNPOD_SERVERLESS_ENDPOINT_ID,
      podReadyTimeoutSeconds: e.RUNPOD_POD_READY_TIMEOUT_SECONDS,
      workerImage: e.WORKER_IMAGE,
    },
  };
}
