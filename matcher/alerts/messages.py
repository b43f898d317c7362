"""Words of the alert and reminder e-mails and the Atom feed, in French, English and Arabic."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "alert_subject": {
        "fr": "Tremplin — {count} nouvel(s) appel(s) d'offres pour « {name} »",
        "en": "Tremplin — {count} new tender(s) for “{name}”",
        "ar": "ترامبلان — {count} طلب(ات) عروض جديدة لـ «{name}»",
    },
    "alert_intro": {
        "fr": "Votre recherche enregistrée « {name} » a trouvé ces nouveaux appels d'offres :",
        "en": "Your saved search “{name}” found these new tenders:",
        "ar": "وجد بحثك المحفوظ «{name}» طلبات العروض الجديدة التالية:",
    },
    "more_results": {
        "fr": "… et {count} autre(s) nouveau(x) appel(s) d'offres : voir la recherche",
        "en": "… and {count} more new tender(s): see the search",
        "ar": "… و{count} طلب(ات) عروض جديدة أخرى: اطلع على البحث",
    },
    "deadline": {"fr": "Date limite", "en": "Deadline", "ar": "آخر أجل"},
    "no_deadline": {"fr": "sans date limite", "en": "no deadline", "ar": "بدون أجل"},
    "value": {"fr": "Montant estimé", "en": "Estimated value", "ar": "القيمة التقديرية"},
    "buyer": {"fr": "Acheteur", "en": "Buyer", "ar": "المشتري"},
    "open_tender": {"fr": "Voir l'appel d'offres", "en": "Open the tender", "ar": "عرض طلب العروض"},
    "unsubscribe": {
        "fr": "Ne plus recevoir cette alerte",
        "en": "Stop this alert",
        "ar": "إيقاف هذا التنبيه",
    },
    "feed": {"fr": "Flux Atom de cette recherche", "en": "Atom feed of this search", "ar": "موجز Atom لهذا البحث"},
    "why_received": {
        "fr": "Vous recevez cet e-mail car votre startup a enregistré cette recherche sur Tremplin.",
        "en": "You receive this e-mail because your startup saved this search on Tremplin.",
        "ar": "تتلقى هذه الرسالة لأن شركتك الناشئة حفظت هذا البحث على ترامبلان.",
    },
    "reminder_subject": {
        "fr": "Tremplin — J-{days} : « {title} »",
        "en": "Tremplin — {days} days left: “{title}”",
        "ar": "ترامبلان — بقي {days} أيام: «{title}»",
    },
    "reminder_body": {
        "fr": "Il reste {days} jour(s) avant la date limite ({deadline}) de cet appel d'offres, "
        "que votre tableau de candidatures marque « {status} ».",
        "en": "{days} day(s) are left before the deadline ({deadline}) of this tender, "
        "which your bid board marks “{status}”.",
        "ar": "بقي {days} يوم(أيام) قبل آخر أجل ({deadline}) لطلب العروض هذا، المصنف في لوحة ترشيحاتك «{status}».",
    },
    "status_interested": {"fr": "intéressé", "en": "interested", "ar": "مهتم"},
    "status_preparing": {"fr": "en préparation", "en": "preparing", "ar": "قيد التحضير"},
    "board": {"fr": "Tableau de candidatures", "en": "Bid board", "ar": "لوحة الترشيحات"},
    "unsub_title": {"fr": "Se désabonner", "en": "Unsubscribe", "ar": "إلغاء الاشتراك"},
    "unsub_confirm": {
        "fr": "Ne plus recevoir par e-mail les alertes de la recherche « {name} » ?",
        "en": "Stop the e-mail alerts of the saved search “{name}”?",
        "ar": "إيقاف تنبيهات البريد الإلكتروني للبحث المحفوظ «{name}»؟",
    },
    "unsub_button": {"fr": "Me désabonner", "en": "Unsubscribe me", "ar": "ألغِ اشتراكي"},
    "unsub_done": {
        "fr": "C'est fait : la recherche « {name} » ne vous enverra plus d'e-mails.",
        "en": "Done: the saved search “{name}” will send you no more e-mails.",
        "ar": "تم: لن يرسل إليك البحث المحفوظ «{name}» أي رسائل بعد الآن.",
    },
    "unsub_invalid": {
        "fr": "Ce lien de désabonnement n'est pas valable.",
        "en": "This unsubscribe link is not valid.",
        "ar": "رابط إلغاء الاشتراك هذا غير صالح.",
    },
    "feed_title": {"fr": "Tremplin — {name}", "en": "Tremplin — {name}", "ar": "ترامبلان — {name}"},
}


def say(lang: str, key: str, **params: object) -> str:
    """The message in `lang` (fr, en or ar; anything else reads French)."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["fr"]
    return text.format(**params) if params else text
