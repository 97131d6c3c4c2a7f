"""The words of generated fact-checks in each language the card speaks (bench.generate --varied).

The same sentences as the English generator's, so a fact-check's size hardly depends on its
language; Arabic runs right to left and Hindi needs its own script's fonts, which is what a
varied store is for. Every summary, paragraph and bottom line cites source [1].
"""

from __future__ import annotations

LANGUAGES = ("en", "es", "pt", "fr", "de", "ar", "hi")

# In the order of bench.generate.TOPICS; a tag in the fact-check's language, as an editor writes it.
TOPIC_WORDS: dict[str, list[str]] = {
    "en": ["vaccines", "elections", "climate", "economy", "immigration", "health", "crime", "energy"],
    "es": ["vacunas", "elecciones", "clima", "economía", "inmigración", "salud", "delincuencia", "energía"],
    "pt": ["vacinas", "eleições", "clima", "economia", "imigração", "saúde", "crime", "energia"],
    "fr": ["vaccins", "élections", "climat", "économie", "immigration", "santé", "criminalité", "énergie"],
    "de": ["Impfstoffe", "Wahlen", "Klima", "Wirtschaft", "Einwanderung", "Gesundheit", "Kriminalität", "Energie"],
    "ar": ["اللقاحات", "الانتخابات", "المناخ", "الاقتصاد", "الهجرة", "الصحة", "الجريمة", "الطاقة"],
    "hi": ["टीके", "चुनाव", "जलवायु", "अर्थव्यवस्था", "आप्रवासन", "स्वास्थ्य", "अपराध", "ऊर्जा"],
}

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "headline": "Fact check {n}: what the numbers on {topic} really say",
        "summary": "A claim about {topic} circulated widely. The sources it cites do not support it [1].",
        "claim": "Claim {n}.{c} about {topic} made in a widely shared post",
        "explanation": "The figures quoted come from a report that says something different.",
        "heading": "What we found",
        "paragraph": "The report says otherwise [1]. ",
        "bottomLine": "Check the original source before sharing [1].",
        "source": "Official statistics",
    },
    "es": {
        "headline": "Verificación {n}: lo que de verdad dicen las cifras sobre {topic}",
        "summary": "Una afirmación sobre {topic} circuló ampliamente. Las fuentes que cita no la respaldan [1].",
        "claim": "Afirmación {n}.{c} sobre {topic} en una publicación muy compartida",
        "explanation": "Las cifras citadas proceden de un informe que dice otra cosa.",
        "heading": "Lo que encontramos",
        "paragraph": "El informe dice lo contrario [1]. ",
        "bottomLine": "Consulte la fuente original antes de compartir [1].",
        "source": "Estadísticas oficiales",
    },
    "pt": {
        "headline": "Checagem {n}: o que os números sobre {topic} realmente dizem",
        "summary": "Uma alegação sobre {topic} circulou amplamente. As fontes citadas não a sustentam [1].",
        "claim": "Alegação {n}.{c} sobre {topic} feita numa publicação muito compartilhada",
        "explanation": "Os números citados vêm de um relatório que diz outra coisa.",
        "heading": "O que encontramos",
        "paragraph": "O relatório diz o contrário [1]. ",
        "bottomLine": "Confira a fonte original antes de compartilhar [1].",
        "source": "Estatísticas oficiais",
    },
    "fr": {
        "headline": "Vérification {n} : ce que disent vraiment les chiffres sur {topic}",
        "summary": "Une affirmation sur {topic} a largement circulé. Les sources citées ne la confirment pas [1].",
        "claim": "Affirmation {n}.{c} sur {topic} dans une publication très partagée",
        "explanation": "Les chiffres cités viennent d'un rapport qui dit autre chose.",
        "heading": "Ce que nous avons trouvé",
        "paragraph": "Le rapport dit le contraire [1]. ",
        "bottomLine": "Vérifiez la source originale avant de partager [1].",
        "source": "Statistiques officielles",
    },
    "de": {
        "headline": "Faktencheck {n}: Was die Zahlen zu {topic} wirklich sagen",
        "summary": "Eine Behauptung über {topic} wurde vielfach geteilt. Die genannten Quellen stützen sie nicht [1].",
        "claim": "Behauptung {n}.{c} über {topic} in einem viel geteilten Beitrag",
        "explanation": "Die zitierten Zahlen stammen aus einem Bericht, der etwas anderes sagt.",
        "heading": "Was wir herausgefunden haben",
        "paragraph": "Der Bericht sagt das Gegenteil [1]. ",
        "bottomLine": "Prüfen Sie die Originalquelle, bevor Sie teilen [1].",
        "source": "Amtliche Statistik",
    },
    "ar": {
        "headline": "تحقق {n}: ما تقوله الأرقام حقًا عن {topic}",
        "summary": "انتشر ادعاء عن {topic} على نطاق واسع. المصادر التي يستشهد بها لا تدعمه [1].",
        "claim": "الادعاء {n}.{c} عن {topic} في منشور واسع الانتشار",
        "explanation": "الأرقام المذكورة مأخوذة من تقرير يقول شيئًا مختلفًا.",
        "heading": "ما وجدناه",
        "paragraph": "يقول التقرير عكس ذلك [1]. ",
        "bottomLine": "تحقق من المصدر الأصلي قبل المشاركة [1].",
        "source": "الإحصاءات الرسمية",
    },
    "hi": {
        "headline": "तथ्य जांच {n}: {topic} पर आंकड़े वास्तव में क्या कहते हैं",
        "summary": "{topic} के बारे में एक दावा व्यापक रूप से फैला। इसके बताए स्रोत इसका समर्थन नहीं करते [1]।",
        "claim": "व्यापक रूप से साझा की गई पोस्ट में {topic} के बारे में दावा {n}.{c}",
        "explanation": "उद्धृत आंकड़े एक ऐसी रिपोर्ट से हैं जो कुछ और कहती है।",
        "heading": "हमें क्या मिला",
        "paragraph": "रिपोर्ट इसके विपरीत कहती है [1]। ",
        "bottomLine": "साझा करने से पहले मूल स्रोत की जांच करें [1]।",
        "source": "आधिकारिक आंकड़े",
    },
}
