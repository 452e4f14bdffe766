// One schema for both engines: only types that SQLite and PostgreSQL both map the same way.

diesel::table! {
    members (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        sort_name -> Text,
        password_hash -> Text,
        role -> Text,
        borough -> Text,
        organisation -> Text,
        about_source -> Text,
        about_html -> Text,
        listed -> Bool,
        staff -> Text,
        suspended_at -> Nullable<Timestamp>,
        suspended_until -> Nullable<Timestamp>,
        suspension_reason -> Nullable<Text>,
        session_epoch -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email_confirmed_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        token_hash -> Text,
        label -> Text,
        max_uses -> Integer,
        uses -> Integer,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    applications (member_id) {
        member_id -> BigInt,
        about_work -> Text,
        invitation_id -> Nullable<BigInt>,
        status -> Text,
        submitted_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        reason -> Text,
    }
}

diesel::table! {
    email_confirmations (id) {
        id -> BigInt,
        member_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        member_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    throttle_events (id) {
        id -> BigInt,
        kind -> Text,
        subject -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        target_member_id -> Nullable<BigInt>,
        subject -> Text,
        reason -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Integer,
        archived -> Bool,
        public_read -> Bool,
        staff_threads_only -> Bool,
        course_run_id -> Nullable<BigInt>,
        thread_count -> BigInt,
        post_count -> BigInt,
        last_post_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    course_runs (id) {
        id -> BigInt,
        title -> Text,
        description -> Text,
        capacity -> Integer,
        meeting_url -> Text,
        booking_open -> Bool,
        cancelled_at -> Nullable<Timestamp>,
        ot_facilitator_id -> Nullable<BigInt>,
        link_worker_facilitator_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        manager_mode -> Text,
    }
}

diesel::table! {
    course_run_boroughs (run_id, borough) {
        run_id -> BigInt,
        borough -> Text,
    }
}

diesel::table! {
    course_sessions (id) {
        id -> BigInt,
        run_id -> BigInt,
        number -> Integer,
        starts_at -> Timestamp,
        duration_minutes -> Integer,
    }
}

diesel::table! {
    bookings (id) {
        id -> BigInt,
        run_id -> BigInt,
        member_id -> BigInt,
        status -> Text,
        seat -> Nullable<Integer>,
        manager_agreed -> Bool,
        manager_name -> Text,
        manager_email -> Text,
        override_reason -> Nullable<Text>,
        booked_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        queued_at -> Timestamp,
        changed_at -> Timestamp,
        manager_status -> Text,
        manager_token_hash -> Nullable<Text>,
        manager_token_expires_at -> Nullable<Timestamp>,
        manager_decided_at -> Nullable<Timestamp>,
        manager_reminders -> Integer,
        place_held_until -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        cancelled_late -> Bool,
    }
}

diesel::table! {
    attendance (session_id, member_id) {
        session_id -> BigInt,
        member_id -> BigInt,
        present -> Bool,
    }
}

diesel::table! {
    threads (id) {
        id -> BigInt,
        category_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        pinned -> Bool,
        locked -> Bool,
        post_count -> Integer,
        last_position -> Integer,
        last_post_at -> Timestamp,
        last_poster_id -> BigInt,
        created_at -> Timestamp,
        held_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        thread_id -> BigInt,
        author_id -> BigInt,
        position -> Integer,
        reply_to_id -> Nullable<BigInt>,
        body_source -> Text,
        body_html -> Text,
        helpful_count -> Integer,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        hidden_by -> Nullable<BigInt>,
        hidden_reason -> Nullable<Text>,
        held_at -> Nullable<Timestamp>,
        purged_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    post_revisions (id) {
        id -> BigInt,
        post_id -> BigInt,
        body_source -> Text,
        body_html -> Text,
        written_at -> Timestamp,
    }
}

diesel::table! {
    post_mentions (post_id, member_id) {
        post_id -> BigInt,
        member_id -> BigInt,
    }
}

diesel::table! {
    helpful_marks (post_id, member_id) {
        post_id -> BigInt,
        member_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        post_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        status -> Text,
        created_at -> Timestamp,
        closed_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<BigInt>,
        claimed_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    thread_reads (member_id, thread_id) {
        member_id -> BigInt,
        thread_id -> BigInt,
        last_read_position -> Integer,
    }
}

diesel::table! {
    resources (id) {
        id -> BigInt,
        title -> Text,
        description_source -> Text,
        description_html -> Text,
        kind -> Text,
        url -> Nullable<Text>,
        file_key -> Nullable<Text>,
        original_name -> Nullable<Text>,
        content_type -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        audience -> Text,
        borough -> Nullable<Text>,
        owner_id -> BigInt,
        hidden_at -> Nullable<Timestamp>,
        download_count -> BigInt,
        thread_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        held_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        name -> Text,
        resource_count -> BigInt,
    }
}

diesel::table! {
    resource_tags (resource_id, tag_id) {
        resource_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    notification_settings (member_id) {
        member_id -> BigInt,
        replies -> Text,
        mentions -> Text,
        watching -> Text,
        tags -> Text,
        moderation -> Text,
        roundup -> Text,
        auto_watch -> Bool,
        updated_at -> Timestamp,
        messages -> Text,
        reminders -> Text,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        member_id -> BigInt,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        headline -> Text,
        detail -> Text,
        link -> Text,
        thread_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        resource_id -> Nullable<BigInt>,
        run_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        email -> Text,
        emailed_at -> Nullable<Timestamp>,
        conversation_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    thread_watches (member_id, thread_id) {
        member_id -> BigInt,
        thread_id -> BigInt,
        watching -> Bool,
    }
}

diesel::table! {
    category_watches (member_id, category_id) {
        member_id -> BigInt,
        category_id -> BigInt,
    }
}

diesel::table! {
    category_facilitators (category_id, member_id) {
        category_id -> BigInt,
        member_id -> BigInt,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    session_reminders (session_id, member_id, kind) {
        session_id -> BigInt,
        member_id -> BigInt,
        kind -> Text,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    tag_follows (member_id, tag_id) {
        member_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        member_id -> Nullable<BigInt>,
        to_name -> Text,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Nullable<Text>,
        unsubscribe_url -> Nullable<Text>,
        attachment_name -> Nullable<Text>,
        attachment_type -> Nullable<Text>,
        attachment_body -> Nullable<Binary>,
        message_id -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        reply_to -> Nullable<Text>,
        handovers -> Integer,
    }
}

diesel::table! {
    outbox_items (id) {
        id -> BigInt,
        outbox_id -> BigInt,
        notification_id -> Nullable<BigInt>,
        thread_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        resource_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    digest_runs (cadence, period) {
        cadence -> Text,
        period -> Text,
        finished_at -> Timestamp,
    }
}

diesel::table! {
    digests (member_id, cadence, period) {
        member_id -> BigInt,
        cadence -> Text,
        period -> Text,
        created_at -> Timestamp,
        outbox_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    feedback_questions (id) {
        id -> BigInt,
        run_id -> BigInt,
        position -> Integer,
        kind -> Text,
        prompt -> Text,
        low_label -> Text,
        high_label -> Text,
        measure -> Text,
    }
}

diesel::table! {
    feedback_responses (id) {
        id -> BigInt,
        run_id -> BigInt,
        member_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    feedback_answers (response_id, question_id) {
        response_id -> BigInt,
        question_id -> BigInt,
        rating -> Nullable<Integer>,
        answer -> Nullable<Text>,
    }
}

diesel::table! {
    feedback_respondents (run_id, member_id) {
        run_id -> BigInt,
        member_id -> BigInt,
    }
}

diesel::table! {
    feedback_invitations (run_id, member_id) {
        run_id -> BigInt,
        member_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    activity_days (day, kind, borough, role) {
        day -> Text,
        kind -> Text,
        borough -> Text,
        role -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    activity_counted (id) {
        id -> Integer,
        through_day -> Text,
    }
}

diesel::joinable!(password_resets -> members (member_id));
diesel::joinable!(applications -> members (member_id));
diesel::joinable!(resource_tags -> resources (resource_id));
diesel::joinable!(resource_tags -> tags (tag_id));
diesel::joinable!(threads -> categories (category_id));
diesel::joinable!(posts -> threads (thread_id));
diesel::table! {
    ended_sessions (session_id) {
        session_id -> Text,
        ended_at -> Timestamp,
    }
}

diesel::table! {
    holds (id) {
        id -> BigInt,
        kind -> Text,
        author_id -> BigInt,
        thread_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        resource_id -> Nullable<BigInt>,
        fresh -> Bool,
        hid -> Bool,
        pending_text -> Nullable<Text>,
        status -> Text,
        held_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
        note -> Text,
        message_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    member_notes (id) {
        id -> BigInt,
        member_id -> BigInt,
        author_id -> Nullable<BigInt>,
        kind -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    site_pages (slug) {
        slug -> Text,
        body_source -> Text,
        body_html -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    contact_messages (id) {
        id -> BigInt,
        member_id -> Nullable<BigInt>,
        name -> Text,
        email -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    retention_runs (day) {
        day -> Text,
        claimed_until -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    exports (id) {
        id -> BigInt,
        member_id -> BigInt,
        requested_by -> BigInt,
        status -> Text,
        items_done -> Integer,
        items_total -> Integer,
        claimed_until -> Nullable<Timestamp>,
        attempts -> Integer,
        token_hash -> Nullable<Text>,
        file_key -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    member_services (member_id) {
        member_id -> BigInt,
        offers_source -> Text,
        offers_html -> Text,
        who_for_source -> Text,
        who_for_html -> Text,
        referral_source -> Text,
        referral_html -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_areas (member_id, borough) {
        member_id -> BigInt,
        borough -> Text,
    }
}

diesel::table! {
    site_settings (name) {
        name -> Text,
        value -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    site_marks (id) {
        id -> BigInt,
        name -> Text,
        alt_text -> Text,
        role -> Text,
        file_key -> Text,
        content_type -> Text,
        size -> BigInt,
        added_by -> Nullable<BigInt>,
        added_at -> Timestamp,
    }
}

diesel::joinable!(post_revisions -> posts (post_id));
diesel::joinable!(outbox_items -> outbox (outbox_id));
diesel::joinable!(thread_watches -> threads (thread_id));
diesel::joinable!(category_watches -> categories (category_id));
diesel::joinable!(tag_follows -> tags (tag_id));
diesel::joinable!(category_facilitators -> categories (category_id));

diesel::table! {
    conversations (id) {
        id -> BigInt,
        started_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    conversation_members (conversation_id, member_id) {
        conversation_id -> BigInt,
        member_id -> BigInt,
        joined_at -> Timestamp,
        last_read_at -> Timestamp,
        last_activity_at -> Timestamp,
        muted -> Bool,
        left_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        author_id -> BigInt,
        body_source -> Text,
        body_html -> Text,
        created_at -> Timestamp,
        held_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    member_blocks (blocker_id, blocked_id) {
        blocker_id -> BigInt,
        blocked_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    message_settings (member_id) {
        member_id -> BigInt,
        accepts -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    message_reports (id) {
        id -> BigInt,
        message_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        status -> Text,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Listed, approved members by role and borough, kept by triggers (migration 000029).
    directory_counts (role, borough) {
        role -> Text,
        borough -> Text,
        listed -> BigInt,
    }
}

diesel::joinable!(conversation_members -> conversations (conversation_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(message_reports -> messages (message_id));

diesel::joinable!(feedback_answers -> feedback_responses (response_id));
diesel::joinable!(feedback_answers -> feedback_questions (question_id));

diesel::allow_tables_to_appear_in_same_query!(
    directory_counts,
    feedback_questions,
    feedback_responses,
    feedback_answers,
    feedback_respondents,
    feedback_invitations,
    activity_days,
    activity_counted,
    members,
    password_resets,
    throttle_events,
    audit_log,
    categories,
    threads,
    posts,
    post_revisions,
    post_mentions,
    helpful_marks,
    reports,
    thread_reads,
    course_runs,
    course_run_boroughs,
    course_sessions,
    bookings,
    attendance,
    resources,
    tags,
    resource_tags,
    notification_settings,
    notifications,
    thread_watches,
    category_watches,
    category_facilitators,
    session_reminders,
    tag_follows,
    outbox,
    outbox_items,
    digests,
    digest_runs,
    ended_sessions,
    email_confirmations,
    invitations,
    applications,
    holds,
    member_notes,
    site_pages,
    contact_messages,
    retention_runs,
    exports,
    conversations,
    conversation_members,
    messages,
    member_blocks,
    message_settings,
    message_reports,
    member_services,
    service_areas,
    site_settings,
    site_marks,
);
