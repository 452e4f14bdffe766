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

diesel::joinable!(password_resets -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(members, password_resets, throttle_events, audit_log);
