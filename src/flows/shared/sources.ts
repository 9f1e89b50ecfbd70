/** What a user can start a workflow from: their stored datasets, as the source pickers offer them. */
import type { FlowPorts, StoredDatasetChoice } from "../ports.js";

const MAX_DATASETS_OFFERED = 50;

/** The user's stored datasets, newest first. */
export async function listDatasetChoices(
  ports: Pick<FlowPorts, "storage">,
  userId: number,
): Promise<StoredDatasetChoice[]> {
  const datasets = await ports.storage.listUserDatasets(userId);
  return datasets
    .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))
    .slice(0, MAX_DATASETS_OFFERED)
    .map((d) => ({
      datasetId: d.datasetId,
      uri: d.uri,
      name: d.name,
      sizeBytes: d.size,
      uploadedAt: d.uploadedAt,
    }));
}
