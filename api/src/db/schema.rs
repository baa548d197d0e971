//! Diesel table definitions, mirrored by hand from `migrations/*/…_init/up.sql`.
// Both backends share these: only portable SQL types (Text, BigInt, Integer, Bool, Double,
// Timestamp, Date) appear here.

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        federal_district -> Text,
        timezone -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        role -> Text,
        max_user_id -> Nullable<BigInt>,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        must_change_password -> Bool,
        totp_secret -> Nullable<Text>,
        totp_enabled -> Bool,
        surname -> Nullable<Text>,
        name -> Nullable<Text>,
        patronymic -> Nullable<Text>,
        region_code -> Nullable<Text>,
        school -> Nullable<Text>,
        position -> Nullable<Text>,
        notify_new_appeal_email -> Bool,
        notify_daily_digest_email -> Bool,
        consent_version -> Nullable<Text>,
        consent_at -> Nullable<Timestamp>,
        verification_status -> Text,
        verification_source -> Nullable<Text>,
        verification_note -> Nullable<Text>,
        verified_at -> Nullable<Timestamp>,
        verified_by -> Nullable<Text>,
        dev_key -> Nullable<Text>,
        is_blocked -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        totp_last_step -> Nullable<BigInt>,
        sessions_ended_at -> Nullable<Timestamp>,
        session_kept -> Nullable<Text>,
        totp_recovery -> Nullable<Text>,
        /// `school | spo | doo` and the organisation's numbers (migration 000017).
        education_level -> Nullable<Text>,
        org_inn -> Nullable<Text>,
        org_ogrn -> Nullable<Text>,
        /// The consent version a teacher declined, and when (migration 000017).
        consent_declined_version -> Nullable<Text>,
        consent_declined_at -> Nullable<Timestamp>,
        /// A verification decision the teacher has not seen yet (migration 000017).
        verification_unseen -> Bool,
    }
}

diesel::table! {
    user_regions (user_id, region_code) {
        user_id -> Text,
        region_code -> Text,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        permissions -> Text,
    }
}

diesel::table! {
    esia_states (state) {
        state -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        ticket_hash -> Nullable<Text>,
        esia_url -> Nullable<Text>,
        opened_at -> Nullable<Timestamp>,
        nonce_hash -> Nullable<Text>,
    }
}

diesel::table! {
    kb_articles (id) {
        id -> Text,
        title -> Text,
        question -> Text,
        variants -> Text,
        answer -> Text,
        legal_refs -> Text,
        tags -> Text,
        status -> Text,
        version -> Integer,
        metadata -> Text,
        source_appeal_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    kb_article_versions (id) {
        id -> Text,
        article_id -> Text,
        version -> Integer,
        title -> Text,
        question -> Text,
        variants -> Text,
        answer -> Text,
        legal_refs -> Text,
        tags -> Text,
        status -> Text,
        author_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kb_variants (id) {
        id -> Text,
        article_id -> Text,
        text -> Text,
        source -> Text,
        appeal_id -> Nullable<Text>,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kb_synonyms (term) {
        term -> Text,
        expansions -> Text,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    appeals (id) {
        id -> Text,
        teacher_id -> Text,
        region_code -> Text,
        author_name -> Nullable<Text>,
        anonymous -> Bool,
        text -> Text,
        channel -> Text,
        status -> Text,
        close_reason -> Nullable<Text>,
        close_note -> Nullable<Text>,
        duplicate_of -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        engine_name -> Nullable<Text>,
        engine_version -> Nullable<Text>,
        engine_article_id -> Nullable<Text>,
        engine_score -> Nullable<Double>,
        engine_confident -> Bool,
        abstain_reason -> Nullable<Text>,
        suggestions -> Text,
        deadline_at -> Nullable<Timestamp>,
        first_answered_at -> Nullable<Timestamp>,
        answered_late -> Bool,
        escalated_at -> Nullable<Timestamp>,
        opened_by_staff_at -> Nullable<Timestamp>,
        teacher_activity_at -> Timestamp,
        staff_activity_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        change_xid -> BigInt,
        change_seq -> BigInt,
        event_seq -> BigInt,
        number -> Text,
        /// Waiting for the teacher's reply to a clarifying question (migration 000014).
        waiting_since -> Nullable<Timestamp>,
        waiting_days_left -> Nullable<Integer>,
        /// The author's education level when asked (migration 000017).
        education_level -> Nullable<Text>,
    }
}

diesel::table! {
    appeal_controls (appeal_id) {
        appeal_id -> Text,
        comment -> Text,
        controlled_by -> Nullable<Text>,
        controlled_at -> Timestamp,
    }
}

diesel::table! {
    appeal_numbers (region_code) {
        region_code -> Text,
        last_value -> BigInt,
    }
}

diesel::table! {
    appeal_messages (id) {
        id -> Text,
        appeal_id -> Text,
        author_id -> Nullable<Text>,
        author_role -> Text,
        kind -> Text,
        text -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appeal_answers (id) {
        id -> Text,
        appeal_id -> Text,
        source -> Text,
        text -> Text,
        article_id -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Timestamp,
        is_late -> Bool,
        reminder_sent_at -> Nullable<Timestamp>,
        /// «Помогло» (true) / «Не помогло» (false) on a bot answer (migration 000014).
        helpful -> Nullable<Bool>,
        helpful_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ratings (answer_id) {
        answer_id -> Text,
        appeal_id -> Text,
        score -> Integer,
        comment -> Nullable<Text>,
        rated_at -> Timestamp,
    }
}

diesel::table! {
    bot_grades (answer_id) {
        answer_id -> Text,
        appeal_id -> Text,
        grade -> Text,
        comment -> Nullable<Text>,
        graded_by -> Text,
        graded_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        appeal_id -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        storage_key -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
        message_id -> Nullable<Text>,
        uploader_role -> Text,
    }
}

diesel::table! {
    appeal_reads (appeal_id, user_id) {
        appeal_id -> Text,
        user_id -> Text,
        read_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (region_code, day) {
        region_code -> Text,
        day -> Date,
        kind -> Text,
        holiday -> Nullable<Text>,
        transferred_from -> Nullable<Date>,
    }
}

diesel::table! {
    calendar_years (region_code, year) {
        region_code -> Text,
        year -> Integer,
        imported_by -> Nullable<Text>,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        dedupe_key -> Nullable<Text>,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        response_code -> Nullable<Integer>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        webhook_id -> Nullable<Text>,
    }
}

diesel::table! {
    job_marks (mark) {
        mark -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        events -> Text,
        regions -> Text,
        is_active -> Bool,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    max_updates (update_key) {
        update_key -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (owner_id, idem_key) {
        owner_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Daily aggregates per region (migration 000009_stats), exact at any moment: since
    /// migration 000022 a view, the folded figures plus the unfolded deltas summed per
    /// (day, region). Read-only.
    stats_daily (day, region_code) {
        day -> Date,
        region_code -> Text,
        received -> BigInt,
        answered -> BigInt,
        answered_by_bot -> BigInt,
        answered_by_operators -> BigInt,
        answered_late -> BigInt,
        self_served -> BigInt,
        escalated -> BigInt,
        ratings_count -> BigInt,
        ratings_sum -> BigInt,
        grades_count -> BigInt,
        grades_points -> BigInt,
        bot_ratings_count -> BigInt,
        bot_ratings_sum -> BigInt,
        operator_ratings_count -> BigInt,
        operator_ratings_sum -> BigInt,
        bot_clicks -> BigInt,
        bot_helpful -> BigInt,
    }
}

diesel::table! {
    /// The figures folded so far (migration 000022_stats_deltas; written only by the fold).
    stats_daily_folded (day, region_code) {
        day -> Date,
        region_code -> Text,
        received -> BigInt,
        answered -> BigInt,
        answered_by_bot -> BigInt,
        answered_by_operators -> BigInt,
        answered_late -> BigInt,
        self_served -> BigInt,
        escalated -> BigInt,
        ratings_count -> BigInt,
        ratings_sum -> BigInt,
        grades_count -> BigInt,
        grades_points -> BigInt,
        bot_ratings_count -> BigInt,
        bot_ratings_sum -> BigInt,
        operator_ratings_count -> BigInt,
        operator_ratings_sum -> BigInt,
        bot_clicks -> BigInt,
        bot_helpful -> BigInt,
    }
}

diesel::table! {
    /// Append-only differences written by the statistics triggers (migration 000022),
    /// folded into `stats_daily_folded` by `domain::stats::fold`.
    stats_deltas (id) {
        id -> BigInt,
        day -> Date,
        region_code -> Text,
        received -> BigInt,
        answered -> BigInt,
        answered_by_bot -> BigInt,
        answered_by_operators -> BigInt,
        answered_late -> BigInt,
        self_served -> BigInt,
        escalated -> BigInt,
        ratings_count -> BigInt,
        ratings_sum -> BigInt,
        grades_count -> BigInt,
        grades_points -> BigInt,
        bot_ratings_count -> BigInt,
        bot_ratings_sum -> BigInt,
        operator_ratings_count -> BigInt,
        operator_ratings_sum -> BigInt,
        bot_clicks -> BigInt,
        bot_helpful -> BigInt,
    }
}

diesel::table! {
    /// A view (migration 000022): every row of `stats_daily_folded` and of `stats_deltas`,
    /// several per (day, region); the statistics sum it with their own grouping. The
    /// declared key is only diesel's requirement. Read-only.
    stats_daily_parts (day, region_code) {
        day -> Date,
        region_code -> Text,
        received -> BigInt,
        answered -> BigInt,
        answered_by_bot -> BigInt,
        answered_by_operators -> BigInt,
        answered_late -> BigInt,
        self_served -> BigInt,
        escalated -> BigInt,
        ratings_count -> BigInt,
        ratings_sum -> BigInt,
        grades_count -> BigInt,
        grades_points -> BigInt,
        bot_ratings_count -> BigInt,
        bot_ratings_sum -> BigInt,
        operator_ratings_count -> BigInt,
        operator_ratings_sum -> BigInt,
        bot_clicks -> BigInt,
        bot_helpful -> BigInt,
    }
}

diesel::table! {
    /// Time to the first operator answer per appeal (migration 000009_stats).
    stats_first_answers (appeal_id) {
        appeal_id -> Text,
        region_code -> Text,
        day -> Date,
        created_at -> Timestamp,
        answered_at -> Timestamp,
        answered_by -> Nullable<Text>,
        hours -> Nullable<Double>,
        working_days -> Nullable<Double>,
    }
}

diesel::table! {
    /// First-sign-in invitations of staff (migration 000010_invitations); only the token's hash.
    staff_invitations (id) {
        id -> Text,
        user_id -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        token_hash -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        purpose -> Text,
    }
}

diesel::table! {
    /// Failed sign-in steps per client that name no account (migration 000010_invitations).
    auth_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(user_regions -> users (user_id));
diesel::joinable!(user_regions -> regions (region_code));
diesel::joinable!(appeals -> regions (region_code));
diesel::joinable!(appeal_messages -> appeals (appeal_id));
diesel::joinable!(appeal_answers -> appeals (appeal_id));
diesel::joinable!(attachments -> appeals (appeal_id));
diesel::joinable!(appeal_reads -> appeals (appeal_id));
diesel::joinable!(appeal_controls -> appeals (appeal_id));
diesel::joinable!(kb_article_versions -> kb_articles (article_id));
diesel::joinable!(kb_variants -> kb_articles (article_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(staff_invitations -> users (user_id));
diesel::joinable!(ratings -> appeal_answers (answer_id));
diesel::joinable!(bot_grades -> appeal_answers (answer_id));
diesel::joinable!(attachments -> users (uploaded_by));

diesel::table! {
    appeal_on_behalf (appeal_id) {
        appeal_id -> Text,
        recorded_by -> Text,
        api_key_id -> Nullable<Text>,
        unregistered -> Bool,
        consent_basis -> Text,
        consent_version -> Text,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        created_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(appeal_on_behalf -> appeals (appeal_id));

diesel::table! {
    campaigns (id) {
        id -> Text,
        author_id -> Text,
        title -> Text,
        body -> Text,
        button_text -> Nullable<Text>,
        button_start -> Nullable<Text>,
        all_regions -> Bool,
        regions -> Text,
        levels -> Text,
        verified_only -> Bool,
        status -> Text,
        start_at -> Nullable<Timestamp>,
        expand_cursor -> Nullable<Text>,
        expanded_at -> Nullable<Timestamp>,
        recipients -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}
diesel::table! {
    campaign_regions (campaign_id, region_code) {
        campaign_id -> Text,
        region_code -> Text,
    }
}
diesel::table! {
    campaign_recipients (campaign_id, user_id) {
        campaign_id -> Text,
        user_id -> Text,
        max_user_id -> BigInt,
        region_code -> Nullable<Text>,
        level -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        opened_at -> Nullable<Timestamp>,
    }
}
diesel::table! {
    campaign_optouts (max_user_id) {
        max_user_id -> BigInt,
        reason -> Text,
        campaign_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
diesel::table! {
    promo_codes (id) {
        id -> Text,
        code -> Text,
        title -> Text,
        author_id -> Text,
        region_code -> Nullable<Text>,
        launches -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Answer templates of a region (migration 000024).
    answer_templates (id) {
        id -> Text,
        region_code -> Text,
        title -> Text,
        body -> Text,
        author_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
diesel::table! {
    /// Who has an appeal open, by their last heartbeat (migration 000024).
    appeal_presence (appeal_id, user_id) {
        appeal_id -> Text,
        user_id -> Text,
        seen_at -> Timestamp,
    }
}

diesel::table! {
    /// Each region's number of teachers, imported by a federal user (migration 000028).
    region_teachers (region_code) {
        region_code -> Text,
        teachers -> BigInt,
        set_at -> Timestamp,
        set_by -> Nullable<Text>,
    }
}

diesel::joinable!(campaign_regions -> campaigns (campaign_id));
diesel::joinable!(campaign_recipients -> campaigns (campaign_id));
diesel::joinable!(answer_templates -> users (author_id));
diesel::joinable!(appeal_presence -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    regions,
    users,
    user_regions,
    refresh_tokens,
    api_keys,
    esia_states,
    kb_articles,
    kb_article_versions,
    kb_variants,
    kb_synonyms,
    appeals,
    appeal_messages,
    appeal_answers,
    ratings,
    bot_grades,
    attachments,
    appeal_reads,
    calendar_days,
    calendar_years,
    outbox,
    webhooks,
    max_updates,
    job_marks,
    audit_log,
    idempotency_keys,
    stats_daily,
    stats_first_answers,
    staff_invitations,
    auth_throttle,
    appeal_numbers,
    appeal_controls,
    appeal_on_behalf,
    campaigns,
    campaign_regions,
    campaign_recipients,
    campaign_optouts,
    promo_codes,
    answer_templates,
    appeal_presence,
    region_teachers,
);
