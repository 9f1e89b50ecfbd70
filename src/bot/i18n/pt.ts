/**
 * Portuguese (Brazil) texts. Same shape as en.ts (test/bot/i18n.test.ts checks keys and arities); values are HTML
 * for Telegram's HTML parse mode, and every argument that came from a user or a file goes through the helpers.
 */
import { NAME_LENGTH } from "../../state/names.js";
import { b, code, esc, i, money } from "../html.js";
import type { Texts } from "./en.js";

/** A regra de nomes, da sua única definição (state/names.ts). */
const MODEL = NAME_LENGTH.model;
const TEMPLATE = NAME_LENGTH.template;

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
      "📊 /stats — resumo dos dados, correlações e testes estatísticos",
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
    "7. Use /stats para olhar antes de modelar: um resumo de cada coluna, correlações e testes de hipótese, em linguagem simples.",
    "",
    "/cancel interrompe o que estiver em andamento. ⬅️ Voltar retorna um passo. Seus modelos ficam em /models.",
  ].join("\n"),
  commands: {
    start: "Boas-vindas e o que eu sei fazer",
    help: "Como funciona",
    train: "Treinar um modelo com seus dados",
    predict: "Previsões com um modelo treinado",
    stats: "Resumo, correlações e testes estatísticos",
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
    anotherTest: "🧪 Outro teste",
    predictAnyway: "▶️ Prever mesmo assim",
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
    excluded: (names: string) => `🚫 Não usadas: ${names}`,
    unused: (name: string, why: string) => `${code(name)} (${esc(why)})`,
    why: {
      identifier: "um identificador",
      freeText: "texto livre",
      nearUnique: (distinct: number, rows: number) =>
        `texto quase único: ${distinct.toLocaleString("pt-BR")} valores distintos em ${rows.toLocaleString("pt-BR")} linhas`,
      constant: "um único valor",
      mostlyEmpty: "quase vazia",
      notSelected: "não selecionada",
    },
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
    workers: (online: number, busy: number, waitMinutes: number) =>
      online === 0
        ? "Workers · nenhum on-line ainda"
        : `Workers · ${online} on-line, ${busy} ${busy === 1 ? "ocupado" : "ocupados"} · ${waitMinutes === 0 ? "sem espera" : `cerca de ${waitMinutes} min de espera`}`,
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
    spotOff:
      "Se esta máquina estiver sem capacidade, uma parecida é tentada no lugar. Máquinas spot são mais baratas, mas podem ser retomadas no meio do treino: só são tentadas se você permitir.",
    spotOn: "Se esta máquina estiver sem capacidade, outras parecidas são tentadas, inclusive máquinas spot.",
    allowSpot: "🔁 Tentar também máquinas spot",
    noSpot: "🚫 Só sob demanda",
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
    stopping: {
      complete: "⏳ Concluído: desligando a máquina antes de mostrar o resultado…",
      failed: "⏳ Desligando a máquina…",
      cancelled: "⏳ Cancelando: desligando a máquina…",
    },
    stopRetry: (attempt: number, reason: string) =>
      `⚠️ Ainda não confirmado (tentativa ${attempt}): ${esc(reason)}. Tentando de novo.`,
    gpu: (utilization: number, used: string, total: string) =>
      `🖥 GPU ${utilization}% · VRAM ${used}/${total} GB`,
    machineLog: "Últimas linhas do log da própria máquina:",
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
    computeGpu: (adapter: string) => `🖥 Treinado na GPU: ${esc(adapter)}`,
    computeCpu: (reason: string) => `🖥 Treinado na CPU — ${esc(reason)}`,
    modelId: (id: string) => `ID do modelo: ${code(id)}`,
    quoted: (took: string, cost: string) => `🧾 Orçado: ~${took}, ${cost}`,
    namePrompt: `✏️ Digite um nome para este modelo (de ${MODEL.min} a ${MODEL.max} letras, números, espaços, - ou _):`,
    templatePrompt: `💾 Digite um nome para este template (letras, números, espaços, - e _; até ${TEMPLATE.max}):`,
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
    fallback: (where: string, reason: string) =>
      `⚠️ ${esc(where)} não funcionou (${esc(reason)}), então esta máquina fez as previsões.`,
    cloudNames: { aws: "AWS Lambda", runpod: "RunPod Serverless", local: "Esta máquina" },
    link: (url: string) =>
      `O arquivo é grande demais para o Telegram. Baixe aqui (link válido por 24 h): ${esc(url)}`,
    outsideDomain: (n: number) =>
      `⚠️ ${count(n, "linha está", "linhas estão")} fora do domínio de treino (marcadas em ${code("outside_training_domain")}).`,
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
    badModelName: () =>
      `⚠️ O nome deve ter de ${MODEL.min} a ${MODEL.max} caracteres: letras, números, espaços, - ou _.`,
    badTemplateName: () =>
      `⚠️ O nome do template deve ter de ${TEMPLATE.min} a ${TEMPLATE.max} caracteres: letras, números, espaços, - ou _.`,
    templateSaved: (p: { name: string }) => `💾 Template ${b(p.name)} salvo.`,
    templateMismatch: (p: { missing: string }) =>
      `⚠️ Nem todas as colunas do template estão neste arquivo (faltam: ${esc(p.missing)}); usei a minha sugestão no lugar.`,
    noCompatibleModel: () => "⚠️ Nenhum dos seus modelos serve para estes dados.",
    badColumnName: (p: { name: string }) =>
      `⚠️ ${code(p.name)} não é um nome de coluna válido (de 1 a 64 caracteres: letras, números, espaços, . _ - ( )).`,
    columnExists: (p: { name: string }) =>
      `⚠️ Os dados já têm uma coluna ${code(p.name)}; escolha outro nome.`,
    error: (p: { message: string }) => `⚠️ ${esc(p.message)}`,
    notThisColumn: (p: { column: string }) =>
      `⚠️ ${code(p.column)} não serve para esta pergunta. Escolha uma das colunas sem 🚫.`,
    tooFewValues: (p: { column: string; n: number; min: number }) =>
      `⚠️ ${code(p.column)} tem ${p.n} valores utilizáveis; este teste precisa de pelo menos ${esc(p.min)}. Escolha outras colunas.`,
    noVariation: (p: { column: string }) =>
      `⚠️ ${code(p.column)} tem o mesmo valor em todas as linhas, então não há o que testar. Escolha outras colunas.`,
    oneGroup: (p: { column: string }) =>
      `⚠️ ${code(p.column)} deixa apenas um grupo com valores, então não há o que comparar.`,
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
    renamePrompt: (name: string) =>
      `✏️ Digite um novo nome para ${b(name)} (de ${MODEL.min} a ${MODEL.max} letras, números, espaços, - ou _):`,
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
    stats: (index: number) => `📊 ${index}`,
    hint: "📊 abre o resumo e os testes estatísticos de um conjunto de dados; 🗑 o exclui.",
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
    stats: (file: string, n: number) => `📊 ${esc(file)}, ${count(n, "teste", "testes")}`,
    status: { complete: "✅", failed: "❌", cancelled: "⛔" },
    quoted: (took: string, cost: string) => `(orçado ~${took}, ${cost})`,
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
  drift: {
    checking: "⏳ Comparando estes dados com os dados de treino do modelo…",
    title: "⚠️ Estes dados não se parecem com os dados de treino do modelo:",
    feature: (name: string, detail: string) => `• ${code(name)}: ${detail}`,
    outside: (share: string, min: string, max: string) =>
      `${esc(share)} dos valores estão fora da faixa do treino (de ${esc(min)} a ${esc(max)})`,
    moved: (before: string, now: string) =>
      `a distribuição mudou (mediana ${esc(before)} no treino, ${esc(now)} agora)`,
    mix: "a proporção dos valores mudou",
    unseen: (n: number, examples: string, share: string) =>
      `${n} ${n === 1 ? "valor" : "valores"} que o modelo nunca viu (${esc(examples)}), em ${esc(share)} das linhas`,
    more: (n: number) => `… e mais ${n} ${n === 1 ? "variável" : "variáveis"}.`,
    advice: `Previsões para essas linhas são extrapolações e podem errar. O arquivo marca cada linha fora do domínio de treino na coluna ${code("outside_training_domain")}.`,
    question: "Prever mesmo assim?",
  },
  stats: {
    source: `📊 Envie o arquivo de dados a explorar (${b("CSV")}, TSV, .xlsx ou .parquet; a primeira linha traz os nomes das colunas).`,
    summaryTitle: (file: string) => `📊 ${b(file)} — resumo`,
    numbers: (name: string, type: string, count: string, mean: string, sd: string) =>
      `${b(name)} ${i(type)} · n ${esc(count)} · média ${esc(mean)} ± ${esc(sd)}`,
    quartiles: (min: string, q1: string, median: string, q3: string, max: string) =>
      `   mín ${esc(min)} · Q1 ${esc(q1)} · mediana ${esc(median)} · Q3 ${esc(q3)} · máx ${esc(max)}`,
    categories: (name: string, type: string, count: string, unique: string, top: string) =>
      `${b(name)} ${i(type)} · n ${esc(count)} · ${esc(unique)} valores distintos · ${esc(top)}`,
    missing: (count: string) => ` · ${esc(count)} faltando`,
    moreColumns: (n: number) => `… e mais ${ptNumber(n)} colunas.`,
    correlations: "🔗 Correlações mais fortes (r de Pearson, ρ de Spearman):",
    pair: (a: string, z: string, r: string, pr: string, rho: string, prho: string) =>
      `• ${code(a)} ↔ ${code(z)}: r ${esc(r)} (${esc(pr)}) · ρ ${esc(rho)} (${esc(prho)})`,
    heatmapOmitted: (n: number) =>
      `O mapa de calor mostra as 12 primeiras colunas numéricas; outras ${ptNumber(n)} ficaram de fora.`,
    noCorrelations: "Há menos de duas colunas numéricas, então não há correlações para mostrar.",
    sampled: (n: number, total: number) =>
      `Correlações de uma amostra aleatória de ${n.toLocaleString("pt-BR")} das ${total.toLocaleString("pt-BR")} linhas; os testes usam todas as linhas.`,
    menu: "🧪 Qual teste?",
    tests: {
      welch: "Teste t de Welch",
      paired: "Teste t pareado",
      mannWhitney: "U de Mann-Whitney",
      anova: "ANOVA de um fator",
      kruskal: "Teste de Kruskal-Wallis",
      chiSquare: "Qui-quadrado de independência",
      shapiro: "Teste de Shapiro-Wilk",
      dagostino: "Teste de D'Agostino-Pearson",
      regression: "Regressão linear",
    } satisfies Record<string, string>,
    testHints: {
      welch: "compara a média de um número entre dois grupos",
      paired: "compara duas medições das mesmas linhas (antes/depois)",
      mannWhitney: "compara dois grupos sem supor dados normais",
      anova: "compara a média de um número entre vários grupos",
      kruskal: "compara vários grupos sem supor dados normais",
      chiSquare: "testa se duas colunas categóricas estão relacionadas",
      shapiro: "testa se um número tem distribuição normal",
      dagostino: "testa a normalidade pela assimetria e pela curtose",
      regression: "ajusta uma reta entre dois números",
    } satisfies Record<string, string>,
    ask: {
      values: "Qual coluna numérica deve ser comparada?",
      sample: "Qual coluna numérica deve ser testada?",
      groups: "Qual coluna define os grupos?",
      before: "Qual coluna é a primeira medição (antes)?",
      after: "Qual coluna é a segunda medição (depois)?",
      rows: "Qual coluna categórica primeiro?",
      columns: "Com qual coluna categórica cruzar?",
      outcome: "Qual coluna é o resultado (y)?",
      predictor: "Qual coluna deve explicá-lo (x)?",
    } satisfies Record<string, string>,
    pickHint: "Toque numa coluna, ou digite o nome ou o número. 🚫 marca as colunas que não servem.",
    chosen: (names: string) => `Escolhidas até agora: ${names}`,
    running: "⏳ Calculando o teste…",
    finished: "👍 Pronto. Use /stats para explorar outro arquivo, ou /train para treinar um modelo com este.",
    header: (test: string, columns: string) => `🧪 ${b(test)} — ${esc(columns)}`,
    statistic: (line: string) => esc(line),
    group: (name: string, n: string, mean: string, sd: string, median: string) =>
      `• ${b(name)}: n ${esc(n)}, média ${esc(mean)} (DP ${esc(sd)}), mediana ${esc(median)}`,
    dropped: (n: number) =>
      `${count(n, "linha com valor faltando foi deixada", "linhas com valor faltando foram deixadas")} de fora.`,
    significant: "Estatisticamente significativo ao nível de 5%.",
    notSignificant: "Não é estatisticamente significativo ao nível de 5%.",
    meanDifference: (column: string, a: string, z: string, diff: string, low: string, high: string) =>
      `A média de ${code(column)} é ${esc(diff)} maior em ${b(a)} do que em ${b(z)} (IC 95% de ${esc(low)} a ${esc(high)}).`,
    noMeanDifference: (column: string, a: string, z: string, diff: string, low: string, high: string) =>
      `Os dados são compatíveis com médias iguais de ${code(column)}: ${b(a)} − ${b(z)} vale ${esc(diff)} (IC 95% de ${esc(low)} a ${esc(high)}), uma diferença que surge com frequência por acaso.`,
    pairedDifference: (after: string, before: string, diff: string, low: string, high: string) =>
      `Em média, ${code(before)} − ${code(after)} vale ${esc(diff)} (IC 95% de ${esc(low)} a ${esc(high)}).`,
    rankShift: (column: string, higher: string, lower: string) =>
      `Os valores de ${code(column)} tendem a ser maiores em ${b(higher)} do que em ${b(lower)}.`,
    noRankShift: (column: string) => `Nenhum dos grupos tende a ter valores maiores de ${code(column)}.`,
    groupsDiffer: (column: string) =>
      `A média de ${code(column)} difere entre pelo menos dois grupos; o teste não diz quais.`,
    groupsSimilar: (column: string) =>
      `Os dados são compatíveis com a mesma média de ${code(column)} em todos os grupos.`,
    ranksDiffer: (column: string) =>
      `Pelo menos um grupo tende a ter valores de ${code(column)} maiores que outro.`,
    ranksSimilar: (column: string) =>
      `Nenhum grupo tende a ter valores de ${code(column)} maiores que os outros.`,
    welchAnova: (line: string) => `ANOVA de Welch (sem supor variâncias iguais): ${esc(line)}`,
    associated: (a: string, z: string) =>
      `${code(a)} e ${code(z)} estão relacionadas: a composição de uma muda conforme a outra.`,
    independent: (a: string, z: string) =>
      `Os dados são compatíveis com ${code(a)} e ${code(z)} não estarem relacionadas.`,
    yates: "Foi aplicada a correção de continuidade de Yates (tabela 2×2).",
    notNormal: (column: string) => `${code(column)} não parece ter distribuição normal.`,
    normal: (column: string) =>
      `Nada indica falta de normalidade: ${code(column)} é compatível com uma distribuição normal.`,
    shape: (skewness: string, kurtosis: string) =>
      `Assimetria ${esc(skewness)} (0 se simétrica) · curtose em excesso ${esc(kurtosis)} (0 na curva normal).`,
    equation: (y: string, intercept: string, slope: string, x: string) =>
      `${code(y)} ≈ ${esc(intercept)} + ${esc(slope)} × ${code(x)}`,
    slope: (x: string, y: string, slope: string, low: string, high: string) =>
      `Cada unidade a mais de ${code(x)} vem com ${esc(slope)} a mais de ${code(y)} (IC 95% de ${esc(low)} a ${esc(high)}).`,
    intercept: (low: string, high: string) => `IC 95% do intercepto: de ${esc(low)} a ${esc(high)}.`,
    explained: (x: string, y: string, share: string) =>
      `${code(x)} explica ${esc(share)} da variação de ${code(y)}.`,
    effect: (name: string, value: string, size: string) =>
      `📏 Tamanho do efeito: ${esc(name)} = ${esc(value)} (${esc(size)})`,
    effects: {
      cohensD: "d de Cohen",
      rankBiserial: "r bisserial de postos",
      etaSquared: "η²",
      epsilonSquared: "ε²",
      cramersV: "V de Cramér",
      rSquared: "R²",
      correlation: "r",
    } satisfies Record<string, string>,
    magnitudes: {
      negligible: "desprezível",
      small: "pequeno",
      medium: "médio",
      large: "grande",
    } satisfies Record<string, string>,
    method: {
      exact: "O p-valor é exato.",
      asymptotic: "O p-valor usa a aproximação normal com correções de empates e de continuidade.",
    } satisfies Record<string, string>,
    checks: "Verificações:",
    check: {
      normalGroups: (group: string, p: string) => `${code(group)} não parece normal (Shapiro-Wilk ${esc(p)})`,
      normalDifferences: (group: string, p: string) =>
        `as diferenças ${code(group)} não parecem normais (Shapiro-Wilk ${esc(p)})`,
      normalResiduals: (p: string) => `os resíduos não parecem normais (Shapiro-Wilk ${esc(p)})`,
      tooSmall: (group: string, n: number) =>
        `${code(group)} tem só ${n} valores: não dá para verificar a normalidade`,
      normalOk: "todos os grupos parecem normais, ou são grandes o bastante (30+) para o teste ser robusto",
      residualsOk: "os resíduos parecem normais, ou há pontos suficientes (30+)",
      differencesOk: "as diferenças parecem normais, ou há pares suficientes (30+)",
      equalVariances: (p: string) => `as dispersões dos grupos diferem (Levene ${esc(p)})`,
      equalVariancesOk: (p: string) => `as dispersões dos grupos são parecidas (Levene ${esc(p)})`,
      groupSize: (n: number) => `o menor grupo tem ${n} valores; abaixo de 5 o p-valor é aproximado`,
      groupSizeOk: "todos os grupos têm 5 ou mais valores",
      expectedCounts: (min: string, share: string) =>
        `algumas contagens esperadas são pequenas (menor ${esc(min)}, ${esc(share)} das células abaixo de 5)`,
      expectedCountsOk: "as contagens esperadas são grandes o bastante (regra de Cochran)",
      sampleSizeLarge: (n: number) =>
        `${ptNumber(n)} valores: o p-valor de Shapiro-Wilk só é confiável até 5.000`,
      sampleSizeSmall: (n: number) => `só ${n} valores: D'Agostino-Pearson pede pelo menos 20`,
      sampleSizeOk: "o tamanho da amostra serve para este teste",
      constantSpread: (p: string) => `a dispersão em torno da reta muda ao longo dela (${esc(p)})`,
      constantSpreadOk: "a dispersão em torno da reta é uniforme",
      outliers: (n: number) => `${n} ${n === 1 ? "ponto está" : "pontos estão"} a mais de 3 DP da reta`,
      outliersOk: "nenhum ponto está longe da reta",
    },
    instead: {
      mannWhitney: "use o teste U de Mann-Whitney",
      welchAnova: "confie na ANOVA de Welch acima",
      kruskal: "use o teste de Kruskal-Wallis",
      wilcoxonSignedRank: "um teste de postos sinalizados de Wilcoxon seria mais seguro",
      fisherExact: "use o teste exato de Fisher",
      mergeCategories: "junte categorias raras e teste de novo",
      dagostino: "use o teste de D'Agostino-Pearson",
      shapiro: "use o teste de Shapiro-Wilk",
      spearman: "veja a correlação de postos de Spearman, menos sensível a valores extremos",
      transform: "tente o logaritmo do resultado, ou leia o p-valor com cautela",
      welch: "use o teste t de Welch",
    } satisfies Record<string, string>,
  },
  stale: "Este menu está desatualizado. Envie /train ou /predict para começar de novo.",
  useButtons: "Use os botões da última mensagem ou /cancel para parar.",
  busy: "⏳ Há uma execução em andamento. Aguarde, acompanhe com /status ou cancele antes com /cancel.",
  cancelled: "Cancelado. Envie /train ou /predict para começar de novo.",
  nothingToCancel: "Não há nada para cancelar.",
  noJob: "Nenhuma execução em andamento.",
  failed: "❌ Não deu certo.",
};
