"""French (default) and English for the web pages: one message catalogue and locale-aware formatting.

Data text (tender titles, profiles) is shown as stored, whatever its language; templates mark it with
``dir="auto"`` so Arabic reads right to left inside the French or English page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from matcher.digests.render import reasons
from matcher.ranking.results import Explanation

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

# key: (French, English). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    "app_name": ("Tremplin", "Tremplin"),
    "tagline": ("Les appels d'offres à portée des startups", "Tenders within reach of startups"),
    "skip_to_content": ("Aller au contenu", "Skip to content"),
    "main_nav": ("Navigation principale", "Main navigation"),
    "language": ("Langue", "Language"),
    "switch_language": ("English", "Français"),
    "signed_in_as": ("Connecté : {name}", "Signed in: {name}"),
    "role_startup": ("startup", "startup"),
    "role_buyer": ("acheteur", "buyer"),
    "role_staff": ("équipe", "staff"),
    # sign-in
    "login_title": ("Connexion", "Sign in"),
    "login_intro": (
        "Collez la clé d'API que l'équipe Tremplin vous a remise.",
        "Paste the API key the Tremplin team gave you.",
    ),
    "api_key": ("Clé d'API", "API key"),
    "api_key_hint": ("Elle commence par « tpl_ ».", "It starts with “tpl_”."),
    "sign_in": ("Se connecter", "Sign in"),
    "sign_out": ("Se déconnecter", "Sign out"),
    "logout_title": ("Déconnexion", "Sign out"),
    "logout_confirm": ("Voulez-vous vous déconnecter ?", "Do you want to sign out?"),
    "login_invalid": (
        "Cette clé n'est pas valable (inconnue, mal formée ou révoquée).",
        "This key is not valid (unknown, malformed or revoked).",
    ),
    "login_missing": ("Saisissez votre clé d'API.", "Enter your API key."),
    "logged_out": ("Vous êtes déconnecté.", "You are signed out."),
    "session_expired": (
        "Votre session a expiré ou le formulaire est périmé : rechargez la page et recommencez.",
        "Your session expired or the form is stale: reload the page and try again.",
    ),
    # errors
    "error_title": ("Erreur {status}", "Error {status}"),
    "forbidden_title": ("Accès refusé", "Access denied"),
    "forbidden_startup": (
        "Cette page appartient à une autre startup.",
        "This page belongs to another startup.",
    ),
    "forbidden_role": ("Cette page n'est pas ouverte à votre rôle.", "This page is not open to your role."),
    "forbidden_tender": ("Cet appel d'offres n'est pas le vôtre.", "This tender is not yours."),
    "not_found_title": ("Introuvable", "Not found"),
    "server_error": (
        "Une erreur inattendue est survenue ; l'équipe a été prévenue.",
        "An unexpected error occurred; the team has been told.",
    ),
    "back_home": ("Retour à l'accueil", "Back to the home page"),
    # startup matches
    "matches_title": ("Appels d'offres recommandés", "Recommended tenders"),
    "matches_for": ("Pour {name}", "For {name}"),
    "filters": ("Filtres", "Filters"),
    "region": ("Région", "Region"),
    "any_region": ("Toutes les régions", "All regions"),
    "cpv_prefix": ("Code CPV (début)", "CPV code (prefix)"),
    "cpv_prefix_hint": ("Ex. 72 pour les services informatiques", "E.g. 72 for IT services"),
    "cpv_prefix_invalid": ("Le code CPV ne contient que des chiffres (2 à 8).", "A CPV code has digits only (2 to 8)."),
    "include_ineligible": ("Inclure les offres non éligibles", "Include tenders I am not eligible for"),
    "include_ineligible_suppliers": (
        "Inclure les fournisseurs non éligibles",
        "Include suppliers that are not eligible",
    ),
    "apply_filters": ("Filtrer", "Apply"),
    "no_matches": (
        "Aucun appel d'offres ouvert ne correspond pour l'instant.",
        "No open tender matches for now.",
    ),
    "score": ("Score", "Score"),
    "buyer": ("Acheteur", "Buyer"),
    "value": ("Montant estimé", "Estimated value"),
    "deadline": ("Date limite", "Deadline"),
    "why": ("Pourquoi", "Why"),
    "fits_because": ("Pertinent pour : {reasons}", "Fits because of {reasons}"),
    "weak_fit": ("Correspondance faible", "Weak fit"),
    "shared_terms": ("Termes communs", "Shared terms"),
    "cpv_codes": ("Codes CPV", "CPV codes"),
    "gaps": ("À vérifier", "To check"),
    "reserved_sme": ("Réservé TPE/PME et jeunes entreprises", "Reserved for SMEs and young companies"),
    "eligible": ("Éligible", "Eligible"),
    "eligible_with_gaps": ("Éligible sous réserve", "Eligible with gaps"),
    "ineligible": ("Non éligible", "Not eligible"),
    "feedback": ("Votre avis", "Your feedback"),
    "fb_relevant": ("Pertinent", "Relevant"),
    "fb_not_relevant": ("Pas pertinent", "Not relevant"),
    "fb_applied": ("J'ai candidaté", "I applied"),
    "fb_won": ("Gagné", "Won"),
    "fb_lost": ("Perdu", "Lost"),
    "feedback_saved": ("Merci, avis enregistré : {verdict}.", "Thank you, feedback saved: {verdict}."),
    "your_last_feedback": ("Votre dernier avis : {verdict}", "Your last feedback: {verdict}"),
    "days_left": ("J-{days}", "{days} days left"),
    "one_day_left": ("J-1", "1 day left"),
    "today": ("Aujourd'hui", "Today"),
    "closed": ("Clôturé", "Closed"),
    "no_deadline": ("Sans date limite", "No deadline"),
    "not_given": ("Non précisé", "Not given"),
    "source_link": ("Avis d'origine", "Original notice"),
    # profile
    "profile_title": ("Profil", "Profile"),
    "profile_intro": (
        "Ces informations servent au calcul de vos recommandations. Séparez les éléments d'une liste par « ; ».",
        "These details drive your recommendations. Separate the items of a list with “;”.",
    ),
    "save": ("Enregistrer", "Save"),
    "profile_saved": (
        "Profil enregistré ; vos recommandations sont à jour.",
        "Profile saved; your recommendations are up to date.",
    ),
    "profile_errors": (
        "Le profil n'a pas été enregistré : corrigez les champs signalés.",
        "The profile was not saved: fix the fields marked below.",
    ),
    "f_name": ("Nom", "Name"),
    "f_description": ("Description de l'activité", "What the company does"),
    "f_sectors": ("Secteurs", "Sectors"),
    "f_tags": ("Mots-clés", "Tags"),
    "f_cpv_codes": ("Codes CPV", "CPV codes"),
    "f_technologies": ("Technologies", "Technologies"),
    "f_city": ("Ville", "City"),
    "f_region": ("Région", "Region"),
    "f_founding_year": ("Année de création", "Founding year"),
    "f_headcount": ("Effectif", "Headcount"),
    "f_annual_revenue": ("Chiffre d'affaires annuel", "Annual revenue"),
    "f_revenue_currency": ("Devise du chiffre d'affaires", "Revenue currency"),
    "f_certifications": ("Certifications", "Certifications"),
    "f_references_count": ("Nombre de références", "Number of references"),
    "f_references": ("Références (marchés déjà réalisés)", "References (contracts already delivered)"),
    "f_labels": ("Labels et programmes", "Labels and programmes"),
    "f_languages": ("Langues de travail", "Working languages"),
    "f_preferred_language": ("Langue des e-mails", "E-mail language"),
    "f_contact_email": ("E-mail de contact", "Contact e-mail"),
    "f_digest_opt_in": ("Recevoir le récapitulatif hebdomadaire", "Receive the weekly digest"),
    "v_int_parsing": ("Saisissez un nombre entier.", "Enter a whole number."),
    "v_float_parsing": ("Saisissez un nombre.", "Enter a number."),
    "v_greater_than_equal": ("La valeur doit être supérieure ou égale à {ge}.", "Must be at least {ge}."),
    "v_less_than_equal": ("La valeur doit être inférieure ou égale à {le}.", "Must be at most {le}."),
    "v_string_too_short": ("Ce champ est obligatoire.", "This field is required."),
    "v_missing": ("Ce champ est obligatoire.", "This field is required."),
    "lang_fr": ("Français", "French"),
    "lang_ar": ("Arabe", "Arabic"),
    "lang_en": ("Anglais", "English"),
    # buyer search
    "search_title": ("Trouver des fournisseurs", "Find suppliers"),
    "search_intro": (
        "Décrivez votre besoin ou choisissez l'un de vos appels d'offres.",
        "Describe your need or pick one of your tenders.",
    ),
    "need": ("Besoin (texte libre)", "Need (free text)"),
    "need_hint": (
        "Ex. plateforme de paiement mobile, maintenance d'un parc informatique",
        "E.g. mobile payment platform, IT equipment maintenance",
    ),
    "or_tender": ("Ou l'un de vos appels d'offres", "Or one of your tenders"),
    "no_tender": ("— aucun (texte libre) —", "— none (free text) —"),
    "sector": ("Secteur", "Sector"),
    "certification": ("Certification", "Certification"),
    "size": ("Taille", "Size"),
    "any_size": ("Toutes tailles", "Any size"),
    "size_micro": ("Très petite (moins de 10)", "Micro (under 10)"),
    "size_small": ("Petite (10 à 49)", "Small (10 to 49)"),
    "size_medium": ("Moyenne (50 à 249)", "Medium (50 to 249)"),
    "size_large": ("Grande (250 et plus)", "Large (250 and more)"),
    "search": ("Rechercher", "Search"),
    "search_needs_input": (
        "Saisissez un besoin ou choisissez un appel d'offres.",
        "Enter a need or pick a tender.",
    ),
    "no_suppliers": ("Aucun fournisseur ne correspond à ces critères.", "No supplier fits these criteria."),
    "results_for_tender": ("Fournisseurs pour « {title} »", "Suppliers for “{title}”"),
    "results_for_query": ("Fournisseurs pour « {query} »", "Suppliers for “{query}”"),
    "headcount": ("Effectif", "Headcount"),
    "references": ("Références", "References"),
    "sectors": ("Secteurs", "Sectors"),
    "certifications": ("Certifications", "Certifications"),
    # staff
    "staff_title": ("Tableau de bord", "Dashboard"),
    "nav_dashboard": ("Tableau de bord", "Dashboard"),
    "nav_import": ("Import", "Import"),
    "nav_digests": ("Récapitulatifs", "Digests"),
    "nav_search": ("Fournisseurs", "Suppliers"),
    "nav_matches": ("Mes appels d'offres", "My tenders"),
    "nav_profile": ("Mon profil", "My profile"),
    "counts": ("Données", "Data"),
    "c_startups": ("Startups", "Startups"),
    "c_buyers": ("Acheteurs", "Buyers"),
    "c_tenders": ("Appels d'offres", "Tenders"),
    "c_tender_lots": ("Lots", "Lots"),
    "c_awards": ("Attributions", "Awards"),
    "c_cpv_codes": ("Codes CPV", "CPV codes"),
    "c_feedback": ("Avis", "Feedback"),
    "c_digest_batches": ("Lots de récapitulatifs", "Digest batches"),
    "c_api_keys": ("Clés d'API", "API keys"),
    "index_freshness": ("Fraîcheur des index", "Index freshness"),
    "index": ("Index", "Index"),
    "state": ("État", "State"),
    "items": ("Éléments", "Items"),
    "model": ("Modèle", "Model"),
    "built_at": ("Construit le", "Built at"),
    "state_fresh": ("à jour", "fresh"),
    "state_stale": ("périmé", "stale"),
    "state_missing": ("absent", "missing"),
    "digest_status": ("Récapitulatifs", "Digests"),
    "no_batches": ("Aucun lot de récapitulatifs pour l'instant.", "No digest batch yet."),
    "week": ("Semaine", "Week"),
    "audience": ("Destinataires", "Audience"),
    "audience_startup": ("startups", "startups"),
    "audience_buyer": ("acheteurs", "buyers"),
    "status": ("Statut", "Status"),
    "digests": ("Récapitulatifs", "Digests"),
    "deliveries": ("Envois", "Deliveries"),
    "open": ("Ouvrir", "Open"),
    "startups_list": ("Startups", "Startups"),
    "view_matches": ("Voir ses recommandations", "See its matches"),
    "status_draft": ("brouillon", "draft"),
    "status_in_review": ("en relecture", "in review"),
    "status_approved": ("approuvé", "approved"),
    "status_sent": ("envoyé", "sent"),
    # import
    "import_title": ("Importer des données", "Import data"),
    "import_intro": (
        "Chaque ligne est validée ; les lignes correctes sont enregistrées, les autres listées avec leur motif.",
        "Every row is validated; good rows are stored, the others are listed with their reason.",
    ),
    "kind": ("Type de données", "Kind of data"),
    "format": ("Format", "Format"),
    "format_auto": ("Détection automatique", "Detect automatically"),
    "file": ("Fichier", "File"),
    "import": ("Importer", "Import"),
    "import_done": (
        "Import terminé : lignes enregistrées {stored}, rejetées {rejected}.",
        "Import done: rows stored {stored}, rejected {rejected}.",
    ),
    "import_no_file": ("Choisissez un fichier.", "Choose a file."),
    "import_too_large": ("Le fichier dépasse {limit} octets.", "The file exceeds {limit} bytes."),
    "import_failed": ("Import impossible : {reason}", "Import failed: {reason}"),
    "report": ("Rapport", "Report"),
    "rows": ("Lignes", "Rows"),
    "created": ("Créées", "Created"),
    "updated": ("Mises à jour", "Updated"),
    "unchanged": ("Inchangées", "Unchanged"),
    "rejected": ("Rejetées", "Rejected"),
    "line": ("Ligne", "Line"),
    "field": ("Champ", "Field"),
    "reason": ("Motif", "Reason"),
    "identifier": ("Identifiant", "Identifier"),
    "warnings": ("Avertissements", "Warnings"),
    # digests
    "digests_title": ("Récapitulatifs hebdomadaires", "Weekly digests"),
    "build_batch": ("Préparer les récapitulatifs", "Prepare digests"),
    "build_hint": (
        "Semaine ISO, ex. 2026-W48 ; vide = semaine en cours.",
        "ISO week, e.g. 2026-W48; empty = this week.",
    ),
    "build": ("Préparer", "Prepare"),
    "built": (
        "Lot {week} ({audience}) : {recipients} destinataires, {items} éléments.",
        "Batch {week} ({audience}): {recipients} recipients, {items} items.",
    ),
    "build_skipped": ("Lot non reconstruit : {reason}", "Batch not rebuilt: {reason}"),
    "batch_title": ("Lot {week} — {audience}", "Batch {week} — {audience}"),
    "batch_note": ("Note du lot", "Batch note"),
    "digest_note": ("Note en tête de l'e-mail", "Note at the top of the e-mail"),
    "item_note": ("Note", "Note"),
    "save_note": ("Enregistrer la note", "Save note"),
    "remove": ("Retirer", "Remove"),
    "restore": ("Rétablir", "Restore"),
    "pin": ("Épingler", "Pin"),
    "unpin": ("Désépingler", "Unpin"),
    "move_up": ("Monter", "Move up"),
    "move_down": ("Descendre", "Move down"),
    "pinned": ("épinglé", "pinned"),
    "removed": ("retiré", "removed"),
    "added_by_hand": ("ajouté à la main", "added by hand"),
    "add_tender": ("Ajouter un appel d'offres (identifiant)", "Add a tender (id)"),
    "add_startup": ("Startup proposée (identifiant)", "Proposed startup (id)"),
    "add": ("Ajouter", "Add"),
    "preview": ("Aperçu de l'e-mail", "Preview the e-mail"),
    "preview_title": ("Aperçu : {recipient}", "Preview: {recipient}"),
    "subject": ("Objet", "Subject"),
    "recipient": ("Destinataire", "Recipient"),
    "text_version": ("Version texte", "Text version"),
    "html_version": ("Version HTML", "HTML version"),
    "submit_review": ("Passer en relecture", "Submit for review"),
    "approve": ("Approuver", "Approve"),
    "reopen": ("Rouvrir", "Reopen"),
    "send": ("Envoyer", "Send"),
    "done": ("C'est fait.", "Done."),
    "sent_report": ("Envoi : {sent} envoyés, {failed} en échec.", "Sending: {sent} sent, {failed} failed."),
    "digest_empty": ("Ce récapitulatif est vide.", "This digest is empty."),
    "audit": ("Historique", "History"),
    "find_recipient": ("Chercher un destinataire", "Find a recipient"),
    "find": ("Chercher", "Find"),
    "recipients_found": ("{count} récapitulatif(s)", "{count} digest(s)"),
    "pagination": ("Pages", "Pages"),
    "page_n": ("Page {n}", "Page {n}"),
    "previous": ("Précédente", "Previous"),
    "next": ("Suivante", "Next"),
    "action": ("Action", "Action"),
    "actor": ("Par", "By"),
    "detail": ("Détail", "Detail"),
    "at": ("Le", "At"),
    "position": ("Position", "Position"),
    "tender": ("Appel d'offres", "Tender"),
    "startup": ("Startup", "Startup"),
    "actions": ("Actions", "Actions"),
    "not_editable": ("Ce lot n'est plus modifiable ({status}).", "This batch can no longer be edited ({status})."),
    "unavailable": ("Fonction indisponible : {what}", "Not available: {what}"),
    # startup tools (tender page, tender search, saved searches, bid board, hidden tenders)
    "nav_tender_search": ("Rechercher", "Search"),
    "nav_alerts": ("Mes alertes", "My alerts"),
    "nav_bids": ("Mes candidatures", "My bids"),
    "tender_search_title": ("Rechercher des appels d'offres", "Search tenders"),
    "keywords": ("Mots-clés ou besoin", "Keywords or need"),
    "keywords_hint": ("Ex. « paiement mobile » ; le sens compte aussi.", "E.g. “mobile payment”; meaning counts too."),
    "buyer_kind": ("Type d'acheteur", "Buyer kind"),
    "any_kind": ("Tous", "Any"),
    "kind_ministry": ("Ministère", "Ministry"),
    "kind_public_enterprise": ("Entreprise publique", "Public enterprise"),
    "kind_local_authority": ("Collectivité", "Local authority"),
    "kind_corporate": ("Entreprise", "Corporate"),
    "kind_bank": ("Banque", "Bank"),
    "min_value": ("Montant min. (MAD)", "Min. value (MAD)"),
    "max_value": ("Montant max. (MAD)", "Max. value (MAD)"),
    "max_days": ("Date limite dans (jours, au plus)", "Deadline within (days)"),
    "min_days": ("Date limite dans (jours, au moins)", "Deadline at least (days)"),
    "sme_only": ("Réservés aux TPE/PME", "Reserved for small firms"),
    "notice_language": ("Langue de l'avis", "Notice language"),
    "any_language": ("Toutes", "Any"),
    "sort_by": ("Trier par", "Sort by"),
    "sort_relevance": ("Pertinence", "Relevance"),
    "sort_deadline": ("Date limite", "Deadline"),
    "sort_value": ("Montant", "Value"),
    "sort_publication": ("Publication", "Publication"),
    "sort_score": ("Score", "Score"),
    "search_go": ("Rechercher", "Search"),
    "results_count": ("{count} appel(s) d'offres", "{count} tender(s)"),
    "no_results": ("Aucun appel d'offres ouvert ne correspond.", "No open tender matches."),
    "invalid_number": ("Saisissez un nombre positif.", "Enter a positive number."),
    "invalid_range": ("Le minimum dépasse le maximum.", "The minimum is above the maximum."),
    "invalid_choice": ("Choix inconnu.", "Unknown choice."),
    "save_search": ("Enregistrer cette recherche", "Save this search"),
    "save_search_name": ("Nom de l'alerte", "Alert name"),
    "frequency": ("Fréquence", "Frequency"),
    "freq_instant": ("Dès la parution", "As published"),
    "freq_daily": ("Chaque jour", "Daily"),
    "freq_weekly": ("Chaque semaine", "Weekly"),
    "search_saved": (
        "Recherche enregistrée : vous recevrez les nouveaux appels d'offres par e-mail.",
        "Search saved: new tenders will come by e-mail.",
    ),
    "search_deleted": ("Alerte supprimée.", "Alert deleted."),
    "alerts_title": ("Mes recherches enregistrées", "My saved searches"),
    "alerts_intro": (
        "Chaque recherche vous envoie par e-mail ses nouveaux appels d'offres, une seule fois chacun. "
        "Le flux Atom a une adresse secrète : ne la partagez pas.",
        "Each search e-mails you its new tenders, each one once. The Atom feed has a secret address: do not share it.",
    ),
    "no_alerts": (
        "Aucune recherche enregistrée : lancez une recherche puis « Enregistrer cette recherche ».",
        "No saved search yet: run a search, then “Save this search”.",
    ),
    "alert_off": ("désabonnée", "unsubscribed"),
    "alert_on": ("active", "active"),
    "atom_feed": ("Flux Atom", "Atom feed"),
    "delete": ("Supprimer", "Delete"),
    "open_search": ("Voir les résultats", "See results"),
    "view_tender": ("Voir l'appel d'offres", "View the tender"),
    "tender_page_title": ("Appel d'offres", "Tender"),
    "description": ("Description", "Description"),
    "lots": ("Lots", "Lots"),
    "lot_n": ("Lot {n}", "Lot {n}"),
    "published": ("Publié le", "Published"),
    "time_zone": ("Fuseau horaire", "Time zone"),
    "procedure": ("Procédure", "Procedure"),
    "guarantee": ("Caution provisoire", "Provisional guarantee"),
    "reserved_no": ("Ouvert à toutes les entreprises", "Open to all firms"),
    "requirements": ("Conditions", "Requirements"),
    "requirements_for": ("Votre situation : {name}", "Where you stand: {name}"),
    "no_requirements": ("Aucune condition particulière publiée.", "No particular requirement published."),
    "req_met": ("rempli", "met"),
    "req_missing": ("manquant", "missing"),
    "req_unknown": ("inconnu", "unknown"),
    "req_years_in_business": ("Au moins {required} ans d'existence", "At least {required} years in business"),
    "req_references": ("Au moins {required} références", "At least {required} references"),
    "req_revenue": ("Chiffre d'affaires annuel d'au moins {amount}", "Yearly revenue of at least {amount}"),
    "req_certification": ("Certification {name}", "Certification {name}"),
    "req_sme_reservation": (
        "Réservé aux TPE/PME et jeunes entreprises innovantes",
        "Reserved for small firms and young innovative companies",
    ),
    "req_guarantee": (
        "Caution provisoire de {amount} (au plus 10 % de votre chiffre d'affaires)",
        "Provisional guarantee of {amount} (at most 10% of your revenue)",
    ),
    "links": ("Source et documents", "Source and documents"),
    "no_links": ("Aucun lien publié.", "No link published."),
    "add_to_calendar": ("Ajouter à mon agenda (.ics)", "Add to calendar (.ics)"),
    "buyer_history": ("Historique de l'acheteur", "Buyer history"),
    "history_awards": (
        "{count} marché(s) attribué(s), dont {small} à des petites entreprises",
        "{count} contract(s) awarded, {small} to small firms",
    ),
    "history_published": ("{count} appel(s) d'offres publiés sur Tremplin", "{count} tender(s) published on Tremplin"),
    "history_typical": ("Montant typique : {amount}", "Typical value: {amount}"),
    "history_same_division": (
        "Derniers achats du même domaine (CPV {division})",
        "Last purchases in the same field (CPV {division})",
    ),
    "history_none": ("Pas encore d'attribution connue pour cet acheteur.", "No known award for this buyer yet."),
    "similar_tenders": ("Appels d'offres similaires ouverts", "Similar open tenders"),
    "no_similar": ("Aucun autre appel d'offres proche.", "No other close tender."),
    "bid_title": ("Ma candidature", "My bid"),
    "bid_status": ("Étape", "Stage"),
    "bid_note": ("Note", "Note"),
    "bid_save": ("Enregistrer", "Save"),
    "bid_saved": ("Candidature : {status}.", "Bid: {status}."),
    "bid_interested": ("Intéressé", "Interested"),
    "bid_preparing": ("En préparation", "Preparing"),
    "bid_submitted": ("Déposée", "Submitted"),
    "bid_won": ("Gagnée", "Won"),
    "bid_lost": ("Perdue", "Lost"),
    "bid_withdrawn": ("Abandonnée", "Withdrawn"),
    "bid_none": ("Pas encore suivie.", "Not followed yet."),
    "mark_interested": ("Je suis intéressé", "I am interested"),
    "board_title": ("Mes candidatures", "My bids"),
    "board_intro": (
        "Rappels par e-mail à J-7 et J-2 pour les appels d'offres « intéressé » ou « en préparation ».",
        "E-mail reminders at 7 and 2 days before the deadline while a bid is interested or preparing.",
    ),
    "board_empty": ("Aucune candidature suivie.", "No bid followed yet."),
    "won_reference": ("Gagnée : ajoutée à vos références.", "Won: added to your references."),
    "hidden_title": ("Appels d'offres masqués", "Hidden tenders"),
    "hidden_intro": (
        "Les appels d'offres marqués « Pas pertinent » n'apparaissent plus dans vos recommandations.",
        "Tenders marked “Not relevant” no longer show in your recommendations.",
    ),
    "hidden_empty": ("Aucun appel d'offres masqué.", "No hidden tender."),
    "hidden_link": ("Appels d'offres masqués ({count})", "Hidden tenders ({count})"),
    "unhide": ("Afficher de nouveau", "Show again"),
    "unhidden": ("L'appel d'offres revient dans vos recommandations.", "The tender is back in your recommendations."),
    "matches_count": ("{count} appel(s) d'offres recommandé(s)", "{count} recommended tender(s)"),
    "matches_count_more": ("Plus de {count} appels d'offres recommandés", "More than {count} recommended tenders"),
}


def validation_message(t: Translator, error: Mapping[str, Any]) -> str:
    """A pydantic error in the reader's language where we know its type; the domain's own words otherwise."""
    key = f"v_{error.get('type', '')}"
    if key in MESSAGES:
        try:
            return t(key, **dict(error.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", "")).removeprefix("Value error, ")


def normalize_language(value: str | None) -> str | None:
    if not value:
        return None
    lang = value.strip().lower()[:2]
    return lang if lang in LANGUAGES else None


class Translator:
    """Messages and formats of one language; templates call it as ``t('key', name=...)``."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE, zone: str = "Africa/Casablanca") -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.zone = ZoneInfo(zone)
        self._index = LANGUAGES.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        entry = MESSAGES.get(key)
        text = entry[self._index] if entry else key
        return text.format(**values) if values else text

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        if value is None:
            return ""
        text = f"{value:,.{decimals}f}"
        if self.lang == "fr":  # 1 234 567,5 with narrow no-break spaces
            text = text.replace(",", "\u202f").replace(".", ",")
        return text

    def money(self, amount: float | None, currency: str = "MAD") -> str:
        if amount is None:
            return self("not_given")
        return f"{self.number(amount)}\u00a0{currency}"

    def score(self, value: float) -> str:
        return self.number(value, 2)

    def local_date(self, moment: datetime | None) -> date | None:
        if moment is None:
            return None
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone).date()

    def date(self, moment: datetime | None) -> str:
        day = self.local_date(moment)
        if day is None:
            return self("no_deadline")
        month = _MONTHS[self.lang][day.month - 1]
        return f"{day.day} {month} {day.year}" if self.lang == "fr" else f"{month} {day.day}, {day.year}"

    def days_left(self, moment: datetime | None, now: datetime | None = None) -> int | None:
        """Whole calendar days until the deadline, as seen in Morocco's time zone."""
        day = self.local_date(moment)
        if day is None:
            return None
        today = self.local_date(now or datetime.now(UTC))
        assert today is not None
        return (day - today).days

    def countdown(self, moment: datetime | None, now: datetime | None = None) -> str:
        days = self.days_left(moment, now)
        if days is None:
            return self("no_deadline")
        if days < 0:
            return self("closed")
        if days == 0:
            return self("today")
        if days == 1:
            return self("one_day_left")
        return self("days_left", days=days)


def localized_summary(t: Translator, explanation: Explanation | dict[str, Any]) -> str:
    """The engine's 'fits because of …' sentence in the reader's language (labels shared with the e-mails)."""
    data = explanation.model_dump(mode="json") if isinstance(explanation, Explanation) else explanation
    found = reasons(data, t.lang)
    if not found or found == [str(data.get("summary"))]:  # no positive feature: reasons() fell back
        return t("weak_fit")
    return t("fits_because", reasons=", ".join(found))
