/**
 * Portuguese (Brazil) texts. Same shape as en.ts (test/bot/i18n.test.ts checks keys and arities); values are HTML
 * for Telegram's HTML parse mode, and every argument that came from a user or a file goes through the helpers.
 */
import { b, code, esc, i, money } from "../html.js";
import type { Texts } from "./en.js";

/** 1234 → "1.234". */
const ptNumber = (value: number) => value.toLocaleString("pt-BR");
/** "1 linha", "2 linhas". */
const count = (value: number, one: string, many: string) => `${ptNumber(value)} ${value === 1 ? one : many}`;
/** 2.5 → "2,5". */
const oneDecimal = (value: number) =>
  value.toLocaleString("pt-BR", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Um lançamento recusado: o limite que ele ultrapassa, com quanto ainda resta dele. */
const overCap = {
  perJob: (left: string) =>
    `⚠️ Isso ultrapassa o seu limite de ${left} por treino. Escolha uma opção mais barata ou aumente seus limites com /budget.`,
  monthly: (left: string) =>
    `⚠️ Isso passa dos ${left} que restam do seu orçamento mensal. Escolha uma opção mais barata ou aumente seus limites com /budget.`,
  total: (left: string) =>
    `⚠️ Isso passa dos ${left} que restam neste mês do orçamento do bot para todos os usuários (MONTHLY_BUDGET_TOTAL). Escolha Esta máquina, que é gratuita, ou fale com o operador.`,
};
const OVER_BUDGET =
  "⚠️ Isso ultrapassa o seu orçamento. Escolha uma opção mais barata ou aumente seus limites com /budget.";

export const pt: Texts = {
  language: { name: "Português", flag: "🇧🇷", changed: "Idioma: português.", choose: "Escolha um idioma:" },
  welcome: (name: string) =>
    [
      `👋 Olá, ${esc(name)}! Eu sou o ${b("Statistical Modeling Agent")}.`,
      "",
      "Envie um arquivo de dados (CSV, TSV, Excel ou Parquet): eu analiso as colunas, sugiro o que prever, treino o modelo que você escolher e mostro como ele se sai em dados que não viu.",
      "Depois, é só enviar novas linhas que eu devolvo um arquivo com as previsões.",
      "",
      "📈 /train — treinar um modelo",
      "🔮 /predict — previsões com um dos seus modelos",
      "🗂 /models · /datasets · /templates · /history",
      "💰 /budget · 🌐 /language · ❓ /help",
    ].join("\n"),
  help: [
    b("Como funciona"),
    "",
    "1. Use /train e envie um arquivo (ou simplesmente envie o arquivo). Aceito CSV, TSV, .xlsx e .parquet; a primeira linha traz os nomes das colunas.",
    "2. Confira o resumo: a coluna a prever (o alvo), a tarefa e as colunas usadas (variáveis). Você pode mudar qualquer um deles.",
    "3. Escolha uma família de modelos, depois um modelo e, se quiser, ajuste as configurações.",
    "4. Escolha onde treinar: nesta máquina é grátis; as opções na nuvem mostram o preço antes de você confirmar.",
    "5. Acompanhe tudo em uma única mensagem de progresso; no fim, você recebe as métricas em dados separados para teste e os gráficos.",
    "6. Use /predict, envie novas linhas com as mesmas colunas e escolha o modelo: o arquivo volta com uma coluna de previsões.",
    "",
    "/cancel interrompe o que estiver em andamento. ⬅️ Voltar retorna um passo. Seus modelos ficam em /models.",
  ].join("\n"),
  commands: {
    start: "Boas-vindas e o que eu sei fazer",
    help: "Como funciona",
    train: "Treinar um modelo com seus dados",
    predict: "Previsões com um modelo treinado",
    models: "Seus modelos treinados",
    datasets: "Seus conjuntos de dados enviados",
    templates: "Configurações salvas para reutilizar",
    history: "Suas últimas execuções",
    budget: "Limites de gastos",
    cancel: "Interromper a etapa atual",
    language: "Mudar o idioma",
    status: "Progresso da execução em andamento",
  },
  buttons: {
    upload: "📤 Enviar um arquivo",
    myDatasets: "📂 Meus dados",
    templates: "📋 Templates",
    accept: "✅ Aceitar",
    changeTarget: "🎯 Trocar o alvo",
    chooseFeatures: "🧩 Escolher variáveis",
    asClassification: "🔁 Tratar como classificação",
    asRegression: "🔁 Tratar como regressão",
    back: "⬅️ Voltar",
    cancel: "❌ Cancelar",
    done: "✔️ Pronto",
    all: "Todas",
    none: "Nenhuma",
    prev: "◀️",
    next: "▶️",
    useDefaults: "✅ Continuar",
    resetParams: "↩️ Padrões",
    custom: "✏️ Personalizar…",
    launch: "🚀 Iniciar",
    nameModel: "✏️ Dar nome ao modelo",
    predictNow: "🔮 Prever agora",
    saveTemplate: "💾 Salvar como template",
    trainAnother: "🔁 Treinar outro",
    continue: "✅ Continuar",
    useThisName: "✅ Usar este nome",
    run: "▶️ Executar",
    stop: "⛔ Cancelar",
  },
  source: {
    train: `📤 Envie seu arquivo de dados (${b("CSV")}, TSV, .xlsx ou .parquet; a primeira linha traz os nomes das colunas).`,
    predict: "📤 Envie o arquivo com as linhas a prever (com as mesmas colunas usadas no treino do modelo).",
    alternatives: "Ou reaproveite algo que você já tem:",
    pickDataset: "📂 Escolha um dos seus conjuntos de dados:",
    noDatasets: "Você ainda não tem conjuntos de dados salvos. Envie um arquivo.",
    pickTemplate: "📋 Escolha um template:",
    noTemplates:
      "Você ainda não tem templates. Salve um a partir do card de resultado (💾 Salvar como template).",
    template: (name: string) => `📋 O template ${b(name)} está pronto: agora envie os dados.`,
    reading: "⏳ Lendo seu arquivo…",
    tryAnother: "Envie outro arquivo ou use /cancel.",
  },
  files: {
    tooBig: (mb: number, limitMb: number) =>
      `❌ Este arquivo tem ${oneDecimal(mb)} MB; o máximo que consigo receber é ${ptNumber(limitMb)} MB.\n` +
      "Envie uma amostra (menos linhas), remova as colunas que não vai usar ou salve como .parquet, que fica bem menor que o CSV.",
    overLimit: (limitMb: number) =>
      `❌ Este arquivo passa de ${ptNumber(limitMb)} MB, o máximo que consigo receber.\n` +
      "Envie uma amostra (menos linhas), remova as colunas que não vai usar ou salve como .parquet, que fica bem menor que o CSV.",
    notADocument: "Envie os dados como arquivo (📎 → Arquivo), não como foto ou texto.",
    notNow:
      "No momento não estou esperando um arquivo. Use os botões acima ou /train para começar com estes dados.",
    stillReading: "⏳ Ainda estou lendo o seu arquivo anterior…",
  },
  schema: {
    title: (fileName: string) => `📊 ${b(fileName)}`,
    shape: (rows: number, cols: number) =>
      `${count(rows, "linha", "linhas")} × ${count(cols, "coluna", "colunas")}`,
    missing: (cells: number) =>
      cells === 0 ? "nenhuma célula vazia" : count(cells, "célula vazia", "células vazias"),
    types: "Colunas",
    target: (target: string, task: string) => `🎯 Alvo: ${code(target)} → ${b(task)}`,
    suggested: (confidence: number) => i(`sugerido com ${Math.round(confidence * 100)}% de confiança`),
    features: (n: number, names: string) => `🧩 Variáveis (${n}): ${names}`,
    noTarget: "⚠️ Não encontrei uma coluna para prever. Escolha uma em 🎯 Trocar o alvo.",
    notes: "Observações",
    excluded: (names: string) => `🚫 Não usadas: ${names} (IDs, texto livre ou quase vazias)`,
  },
  task: { regression: "regressão", classification: "classificação" },
  target: {
    title: "🎯 Qual coluna o modelo deve prever?",
    hint: "Toque em uma coluna ou digite o nome ou o número dela.",
  },
  features: {
    title: (n: number, total: number) => `🧩 Variáveis: ${n} de ${total} colunas selecionadas.`,
    hint: "Toque para marcar ou desmarcar; ou digite nomes e intervalos, por exemplo <code>1-5, preço</code>.",
  },
  page: (page: number, pages: number) => `página ${page}/${pages}`,
  category: {
    title: (task: string) => `🤖 Que tipo de modelo usar para ${b(task)}?`,
    names: {
      auto: "🤖 Automático (melhor modelo)",
      linear: "📈 Modelos lineares",
      trees: "🌳 Árvores e ensembles",
      other: "🧮 SVM, kNN e Bayes",
      neural: "🧠 Rede neural",
    },
  },
  model: {
    title: (task: string) => `🤖 Escolha um modelo para ${b(task)}:`,
    recommended: "⭐ recomendado",
  },
  params: {
    title: (model: string) => `⚙️ ${b(model)}: configurações`,
    hint: "Toque em um valor para alterá-lo ou continue com estes.",
    typing: (name: string, constraint: string) =>
      `✏️ Digite um valor para ${code(name)} (${esc(constraint)}):`,
  },
  location: {
    title: "📍 Onde executar?",
    quoting: "⏳ Consultando os preços…",
    offer: (label: string, minutes: string, cost: string) => `${label} · ~${minutes} · ${cost}`,
    free: "grátis",
    perHour: (rate: string) => `${rate}/h`,
    priceSource: (source: string) => i(`preços: ${source}`),
  },
  confirm: {
    title: "🧾 Confirmar",
    where: (label: string) => `Onde: ${b(label)}`,
    rate: (rate: string) => `Preço: ${rate} por hora`,
    estimate: (minutes: string, cost: string) => `Estimativa: ~${minutes}, cerca de ${b(cost)}`,
    budget: (perJob: string, left: string) => `Seus limites: ${perJob} por treino; restam ${left} neste mês`,
    botBudget: (left: string) => `Orçamento do bot para todos os usuários: restam ${left} neste mês`,
    overCap,
  },
  progress: {
    title: (model: string) => `🏋️ Treinando ${b(model)}`,
    where: (label: string) => `📍 ${esc(label)}`,
    phase: {
      launching: "Iniciando",
      queued: "Aguardando na fila",
      running: "Treinando",
      complete: "Concluído",
      failed: "Falhou",
      cancelled: "Cancelado",
    },
    queue: (position: number) => `na fila, posição ${position}`,
    elapsed: (t: string) => `⏱ ${t}`,
    cost: (c: string) => `💵 ${c} até agora`,
    attempt: (offer: string, reason: string) => `↪️ ${esc(offer)}: ${esc(reason)}`,
    doneIn: (t: string) => `✅ Concluído em ${t}`,
    cancelling: "⏳ Cancelando…",
  },
  metrics: {
    accuracy: "Acurácia",
    precision: "Precisão",
    recall: "Revocação",
    logLoss: "Log-loss",
    short: { r2: "R²", accuracy: "acur." },
  },
  result: {
    title: (name: string) => `✅ ${b(name)} treinado com sucesso`,
    heldOut: (n: number) =>
      `Avaliado em ${count(n, "linha", "linhas")} que o modelo não viu durante o treino:`,
    hints: {
      r2: (v: string) => `explica ${v} da variância`,
      rmse: "erro típico, na mesma unidade do alvo",
      mae: "erro absoluto médio",
      accuracy: (v: string) => `acerta ${v} das linhas`,
      f1: "equilíbrio entre precisão e recall",
      rocAuc: "qualidade da ordenação (0,5 = acaso, 1 = perfeito)",
    },
    balance: "Classes:",
    quartiles: (q1: string, q2: string, q3: string) => `Quartis do alvo: ${q1} · ${q2} · ${q3}`,
    leaderboard: (n: number) => `🏁 Ranking por validação cruzada (${n} candidatos):`,
    topFeatures: "Variáveis mais importantes:",
    footer: (duration: string, where: string, cost: string) =>
      `⏱ ${duration} · 📍 ${esc(where)} · 💵 ${cost}`,
    modelId: (id: string) => `ID do modelo: ${code(id)}`,
    namePrompt: "✏️ Digite um nome para este modelo (de 3 a 100 caracteres):",
    templatePrompt: "💾 Digite um nome para este template (letras, números, espaços, - e _; até 40):",
    templateSaved: (name: string) => `💾 Template ${b(name)} salvo. Use em /train → 📋 Templates.`,
    named: (name: string) => `✅ Agora o modelo se chama ${b(name)}.`,
    finished: "👍 Pronto. Use /predict para aplicar seu modelo ou /train para treinar outro.",
  },
  predict: {
    compatible: "✅ Modelos compatíveis com estes dados:",
    incompatible: "⚠️ Não servem para estes dados:",
    missing: (cols: string) => `faltam ${cols}`,
    noneFit:
      "Nenhum dos seus modelos serve para estes dados: faltam as colunas acima. Envie outro arquivo ou use /train para treinar um modelo com ele.",
    pickModel: "🔮 Qual modelo deve fazer as previsões?",
    column: (name: string) => `🏷 As previsões vão para uma nova coluna ${code(name)}.`,
    columnHint: "Mantenha esse nome ou digite outro.",
    ready: "▶️ Tudo pronto para executar",
    readyModel: (name: string) => `Modelo: ${b(name)}`,
    readyData: (file: string, rows: number) => `Dados: ${esc(file)} (${count(rows, "linha", "linhas")})`,
    readyColumn: (name: string) => `Coluna: ${code(name)}`,
    readyWhere: (label: string, cost: string) => `Onde: ${esc(label)} · ${cost}`,
    running: "⏳ Gerando as previsões…",
    title: (n: number) => `✅ ${b(ptNumber(n))} ${n === 1 ? "previsão" : "previsões"}`,
    stats: "Valores previstos:",
    classes: "Classes previstas:",
    preview: "Primeiras linhas:",
    time: (t: string) => `⏱ ${t}`,
    fileCaption: (name: string) => `📎 ${esc(name)}`,
    zipped: "Como o arquivo ficou grande, ele foi compactado em .zip.",
    link: (url: string) =>
      `O arquivo é grande demais para o Telegram. Baixe aqui (link válido por 24 h): ${esc(url)}`,
  },
  notices: {
    unknownColumns: (p: { columns: string }) =>
      `❓ Coluna não encontrada: ${code(p.columns)}. Use os nomes ou números mostrados.`,
    notATarget: (p: { column: string; reason?: string }) =>
      `⚠️ ${code(p.column)} não pode ser o alvo${p.reason ? `: ${esc(p.reason)}` : "."}`,
    targetIsNotAFeature: (p: { column: string }) =>
      `${code(p.column)} é o alvo; não pode ser também uma variável.`,
    noFeatures: () => "⚠️ Selecione pelo menos uma variável.",
    badParam: (p: { message: string }) => `⚠️ ${esc(p.message)}`,
    overBudget: () => OVER_BUDGET,
    overJobCap: (p: { left: number }) => overCap.perJob(money(p.left)),
    overMonthlyCap: (p: { left: number }) => overCap.monthly(money(p.left)),
    overTotalCap: (p: { left: number }) => overCap.total(money(p.left)),
    badModelName: () => "⚠️ O nome deve ter de 3 a 100 caracteres: letras, números, espaços ou . _ - ( ).",
    badTemplateName: () =>
      "⚠️ O nome do template deve ter de 1 a 40 caracteres: letras, números, espaços, - ou _.",
    templateSaved: (p: { name: string }) => `💾 Template ${b(p.name)} salvo.`,
    templateMismatch: (p: { missing: string }) =>
      `⚠️ Nem todas as colunas do template estão neste arquivo (faltam: ${esc(p.missing)}); usei a minha sugestão no lugar.`,
    noCompatibleModel: () => "⚠️ Nenhum dos seus modelos serve para estes dados.",
    badColumnName: (p: { name: string }) =>
      `⚠️ ${code(p.name)} não é um nome de coluna válido (de 1 a 64 caracteres: letras, números, espaços, . _ - ( )).`,
    columnExists: (p: { name: string }) =>
      `⚠️ Os dados já têm uma coluna ${code(p.name)}; escolha outro nome.`,
    error: (p: { message: string }) => `⚠️ ${esc(p.message)}`,
  },
  errors: {
    card: (message: string, recovery: string, errCode: number) =>
      `❌ ${esc(message)}\n\n💡 ${esc(recovery)}${errCode ? `\n${i(`código ${errCode}`)}` : ""}`,
    internal:
      "Algo deu errado do nosso lado. Tente de novo; se o problema continuar, envie /cancel e comece outra vez.",
    sessionReset:
      "Não foi possível restaurar a sua sessão anterior, então ela foi encerrada. Envie /train ou /predict para começar de novo.",
    accessDenied:
      "Desculpe, este bot é privado. Peça ao responsável por ele para liberar o seu ID de usuário do Telegram.",
    rateLimited: "Você está enviando mensagens muito rápido; volto a responder em alguns segundos.",
  },
  models: {
    title: (n: number) => `🗂 ${b("Seus modelos")} (${n})`,
    none: "Você ainda não tem modelos treinados. Envie /train para criar o primeiro.",
    line: (index: number, name: string, kind: string, metric: string, date: string) =>
      `${index}. ${b(name)} — ${esc(kind)}${metric ? ` · ${metric}` : ""} · ${esc(date)}`,
    card: (name: string) => `🧠 ${b(name)}`,
    kind: (model: string, task: string) => `${esc(model)}, ${esc(task)}`,
    target: (target: string) => `🎯 Alvo: ${code(target)}`,
    features: (n: number, names: string) => `🧩 Variáveis (${n}): ${names}`,
    trained: (date: string, where: string, cost: string) => `📅 ${esc(date)} · 📍 ${esc(where)} · 💵 ${cost}`,
    rename: "✏️ Renomear",
    delete: "🗑 Excluir",
    download: "💾 Baixar",
    predict: "🔮 Prever",
    list: "⬅️ Todos os modelos",
    renamePrompt: (name: string) => `✏️ Digite um novo nome para ${b(name)} (de 3 a 100 caracteres):`,
    renamed: (name: string) => `✅ Renomeado para ${b(name)}.`,
    confirmDelete: (name: string) =>
      `🗑 Excluir ${b(name)}? Os arquivos dele serão apagados e ele não poderá mais ser usado para previsões.`,
    yesDelete: "🗑 Sim, excluir",
    keep: "Manter",
    deleted: (name: string) => `🗑 ${b(name)} foi excluído.`,
    archiveCaption: (name: string) =>
      `💾 ${esc(name)}: model.json, metadata.json, signature.json. Carregar este arquivo nunca executa código.`,
    gone: "Este modelo não existe mais.",
  },
  datasets: {
    title: (n: number) => `📂 ${b("Seus conjuntos de dados")} (${n})`,
    none: "Você não tem conjuntos de dados salvos. Todo arquivo que você envia para treino fica guardado aqui.",
    line: (index: number, name: string, size: string, date: string) =>
      `${index}. ${esc(name)} · ${size} · ${esc(date)}`,
    delete: (index: number) => `🗑 ${index}`,
    confirmDelete: (name: string) =>
      `🗑 Excluir o conjunto de dados ${b(name)}? Os modelos treinados com ele continuam disponíveis.`,
    deleted: (name: string) => `🗑 ${esc(name)} foi excluído.`,
    train: "📈 Treinar com um deles",
  },
  templates: {
    title: (n: number) => `📋 ${b("Seus templates")} (${n})`,
    none: "Você não tem templates. Salve um a partir do card de resultado (💾 Salvar como template) ou antes de gerar previsões.",
    line: (index: number, name: string, kind: string, detail: string) =>
      `${index}. ${b(name)} — ${esc(kind)}: ${detail}`,
    kinds: { training: "treino", prediction: "previsão" },
    use: (index: number) => `▶️ ${index}`,
    delete: (index: number) => `🗑 ${index}`,
    deleted: (name: string) => `🗑 Template ${b(name)} excluído.`,
  },
  history: {
    title: `🕘 ${b("Suas últimas execuções")}`,
    none: "Nada por enquanto. Seus treinos e previsões concluídos vão aparecer aqui.",
    line: (when: string, what: string, status: string, took: string, cost: string) =>
      `• ${esc(when)} — ${what} · ${status} · ${took} · ${cost}`,
    training: (model: string, target: string) => `🏋️ ${esc(model)} → ${code(target)}`,
    prediction: (model: string, rows: number) => `🔮 ${esc(model)}, ${count(rows, "linha", "linhas")}`,
    status: { complete: "✅", failed: "❌", cancelled: "⛔" },
  },
  spend: {
    total: (spent: string, max: string) =>
      `💵 Gastos neste mês (todos os usuários): ${b(spent)} de ${max} (MONTHLY_BUDGET_TOTAL)`,
    byProvider: (detail: string) => `Por provedor: ${detail}`,
    user: (id: string, spent: string, detail: string) => `• usuário ${code(id)}: ${spent} (${detail})`,
    none: "Nenhuma computação paga foi usada neste mês.",
  },
  budget: {
    title: `💰 ${b("Seus limites de gastos")}`,
    perJob: (v: string, max: string) => `Por treino: ${b(v)} (limite do administrador: ${max})`,
    perPrediction: (v: string, max: string) => `Por previsão: ${b(v)} (limite do administrador: ${max})`,
    monthly: (v: string, spent: string) => `Neste mês: ${b(spent)} gastos de ${v}`,
    hint: "O treino local é grátis. Toque em um limite para alterá-lo.",
    setJob: "✏️ Por treino",
    setPrediction: "✏️ Por previsão",
    setMonthly: "✏️ Mensal",
    prompt: (what: string, max: string) =>
      `✏️ Digite o novo ${what} em dólares (de 0 a ${max}), por exemplo 2,50:`,
    what: {
      perTrainingJob: "limite por treino",
      perPrediction: "limite por previsão",
      monthly: "limite mensal",
    },
    bad: (max: string) => `⚠️ Digite um valor em dólares entre 0 e ${max}, por exemplo 2,50.`,
    saved: "✅ Salvo.",
  },
  stale: "Este menu está desatualizado. Envie /train ou /predict para começar de novo.",
  useButtons: "Use os botões da última mensagem ou /cancel para parar.",
  busy: "⏳ Há uma execução em andamento. Aguarde, acompanhe com /status ou cancele antes com /cancel.",
  cancelled: "Cancelado. Envie /train ou /predict para começar de novo.",
  nothingToCancel: "Não há nada para cancelar.",
  noJob: "Nenhuma execução em andamento.",
  failed: "❌ Não deu certo.",
};
