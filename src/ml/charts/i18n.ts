/** Chart titles and axis labels in English and Brazilian Portuguese (src/ml must not import the bot's i18n). */

export type ChartLanguage = "en" | "pt";

const EN = {
  importance: "Feature importance",
  importanceAxis: "Importance",
  predictedVsActual: "Predicted vs actual",
  actual: "Actual",
  predicted: "Predicted",
  identity: "Perfect prediction",
  residuals: "Residuals",
  residualAxis: "Actual − predicted",
  count: "Rows",
  confusion: "Confusion matrix",
  trueClass: "True class",
  predictedClass: "Predicted class",
  roc: "ROC curve",
  fpr: "False positive rate",
  tpr: "True positive rate",
  pr: "Precision–recall curve",
  precision: "Precision",
  recall: "Recall",
  chance: "Chance",
  auc: "AUC",
  ap: "AP",
  learningCurve: "Learning curve",
  round: "Boosting round",
  loss: "Loss",
  training: "Training",
  validation: "Validation",
  bestRound: "Best round",
  leaderboard: "Auto mode leaderboard",
  cvScore: "Cross-validated score",
  winner: "winner",
  accuracy: "accuracy",
  correlations: "Correlations",
  correlationKey: "Pearson r below the diagonal, Spearman ρ above",
  by: "by",
  distributionOf: "Distribution of",
  normalCurve: "Normal curve (same mean and SD)",
  fittedLine: "Fitted line",
  mean: "mean",
  rowShares: "Percentages are of each row of",
} as const;

export type ChartText = { [K in keyof typeof EN]: string };

const PT: ChartText = {
  importance: "Importância das variáveis",
  importanceAxis: "Importância",
  predictedVsActual: "Previsto vs real",
  actual: "Real",
  predicted: "Previsto",
  identity: "Previsão perfeita",
  residuals: "Resíduos",
  residualAxis: "Real − previsto",
  count: "Linhas",
  confusion: "Matriz de confusão",
  trueClass: "Classe real",
  predictedClass: "Classe prevista",
  roc: "Curva ROC",
  fpr: "Taxa de falsos positivos",
  tpr: "Taxa de verdadeiros positivos",
  pr: "Curva precisão–revocação",
  precision: "Precisão",
  recall: "Revocação",
  chance: "Acaso",
  auc: "AUC",
  ap: "AP",
  learningCurve: "Curva de aprendizado",
  round: "Rodada de boosting",
  loss: "Perda",
  training: "Treino",
  validation: "Validação",
  bestRound: "Melhor rodada",
  leaderboard: "Ranking do modo automático",
  cvScore: "Pontuação em validação cruzada",
  winner: "vencedor",
  accuracy: "acurácia",
  correlations: "Correlações",
  correlationKey: "r de Pearson abaixo da diagonal, ρ de Spearman acima",
  by: "por",
  distributionOf: "Distribuição de",
  normalCurve: "Curva normal (mesma média e DP)",
  fittedLine: "Reta ajustada",
  mean: "média",
  rowShares: "Porcentagens de cada linha de",
};

export function chartText(language: ChartLanguage = "en"): ChartText {
  return language === "pt" ? PT : EN;
}

/** Numbers as the reader writes them (pt-BR uses a decimal comma). */
export function formatNumber(v: number, language: ChartLanguage = "en", digits = 3, fixed = false): string {
  if (!Number.isFinite(v)) return "—";
  const abs = Math.abs(v);
  const locale = language === "pt" ? "pt-BR" : "en-US";
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) {
    return v.toExponential(2).replace(".", language === "pt" ? "," : ".");
  }
  const fraction = abs >= 1000 ? 0 : abs >= 100 ? 1 : digits;
  return new Intl.NumberFormat(locale, {
    maximumFractionDigits: fraction,
    minimumFractionDigits: fixed ? fraction : 0,
    useGrouping: abs >= 10000,
  }).format(v);
}
