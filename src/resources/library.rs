//! The library's rules and queries: adding, finding, changing and removing resources and
//! their tags.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::values::{
    Audience, Change, Content, Described, NewResource, ResourceDescription, ResourceTitle, Tag,
};
use crate::accounts::members::Viewer;
use crate::accounts::{Borough, Role, StaffLevel};
use crate::audit::{self, Entry};
use crate::db::paging::{PageNumber, Paged};
use crate::db::{DbConn, MemberId, ResourceId, TagId, ThreadId, WriteConn};
use crate::forum::values::{PostBody, ThreadTitle};
use crate::forum::{categories, threads};
use crate::guard::Verdict;
use crate::holds::{self, Held, Hold, HoldStatus, NewHold};
use crate::markdown::{self, SafeHtml};
use crate::rules::RuleError;
use crate::schema::{members, resource_tags, resources, tags};
use crate::search;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = resources)]
pub struct Resource {
    pub id: ResourceId,
    pub title: String,
    pub description_source: String,
    pub description_html: SafeHtml,
    pub kind: String,
    pub url: Option<String>,
    pub file_key: Option<String>,
    pub original_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    pub audience: String,
    pub borough: Option<String>,
    pub owner_id: MemberId,
    pub hidden_at: Option<NaiveDateTime>,
    pub download_count: i64,
    pub thread_id: Option<ThreadId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub held_at: Option<NaiveDateTime>,
}

impl Resource {
    pub fn is_file(&self) -> bool {
        self.kind == "file"
    }

    /// Held by the patient-data guard: hidden until a facilitator approves it.
    pub fn is_held(&self) -> bool {
        self.held_at.is_some()
    }

    pub fn audience(&self) -> Audience {
        Audience::parse(&self.audience).unwrap_or(Audience::Both)
    }

    pub fn borough(&self) -> Option<Borough> {
        self.borough.as_deref().and_then(Borough::from_slug)
    }

    /// How the audit log names it: by number, as it names threads, so that the entries about
    /// one resource can be found whatever its title has become.
    pub fn subject(&self) -> String {
        format!("resource {} “{}”", self.id, self.title)
    }
}

/// Who shared a resource.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct Sharer {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub borough: Borough,
    pub staff: StaffLevel,
}

/// A resource with what its card shows.
#[derive(Debug, Clone)]
pub struct Listed {
    pub resource: Resource,
    pub sharer: Sharer,
    pub tags: Vec<String>,
}

/// Whether the viewer may see a resource at all (hidden ones: owner and facilitators).
pub fn visible_to(resource: &Resource, viewer: &Viewer) -> bool {
    resource.hidden_at.is_none() || resource.owner_id == viewer.id || viewer.staff.can_moderate()
}

pub fn may_change(resource: &Resource, viewer: &Viewer) -> bool {
    resource.owner_id == viewer.id || viewer.staff.can_moderate()
}

/// A resource already in the library with the same content.
/// The resource that already holds these bytes, named only when `viewer` may see it: a
/// hidden resource's title must not leak through the duplicate check.
pub fn same_file(
    conn: &mut DbConn,
    viewer: &Viewer,
    sha256: &str,
) -> QueryResult<Option<Option<(ResourceId, String)>>> {
    let found: Option<(ResourceId, String, MemberId, Option<NaiveDateTime>)> = resources::table
        .filter(resources::sha256.eq(sha256))
        .select((
            resources::id,
            resources::title,
            resources::owner_id,
            resources::hidden_at,
        ))
        .first(conn)
        .optional()?;
    Ok(found.map(|(id, title, owner, hidden_at)| {
        let shown = hidden_at.is_none() || owner == viewer.id || viewer.staff.can_moderate();
        shown.then_some((id, title))
    }))
}

/// What the uploader is told of a file the library holds already.
fn duplicate_message(existing: &Option<(ResourceId, String)>) -> String {
    match existing {
        Some((id, title)) => {
            format!("This file is already in the library as “{title}” (/resources/{id})")
        }
        None => "This file is already in the library".to_owned(),
    }
}

fn tag_ids(conn: &mut DbConn, names: &[Tag]) -> QueryResult<Vec<TagId>> {
    let wanted: Vec<&str> = names.iter().map(Tag::as_str).collect();
    let mut known: HashMap<String, TagId> = tags::table
        .filter(tags::name.eq_any(wanted))
        .select((tags::name, tags::id))
        .load::<(String, TagId)>(conn)?
        .into_iter()
        .collect();
    let mut ids = Vec::new();
    for name in names {
        let id = match known.get(name.as_str()) {
            Some(id) => *id,
            None => {
                let id: TagId = diesel::insert_into(tags::table)
                    .values(tags::name.eq(name.as_str()))
                    .returning(tags::id)
                    .get_result(conn)?;
                known.insert(name.to_string(), id);
                id
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

fn set_tags(conn: &mut DbConn, resource: ResourceId, names: &[Tag]) -> QueryResult<()> {
    let mut touched = tag_ids_of(conn, resource)?;
    diesel::delete(resource_tags::table.filter(resource_tags::resource_id.eq(resource)))
        .execute(conn)?;
    for tag in tag_ids(conn, names)? {
        diesel::insert_into(resource_tags::table)
            .values((
                resource_tags::resource_id.eq(resource),
                resource_tags::tag_id.eq(tag),
            ))
            .execute(conn)?;
        touched.push(tag);
    }
    recount_tags(conn, &touched)
}

pub(super) fn tag_ids_of(conn: &mut DbConn, resource: ResourceId) -> QueryResult<Vec<TagId>> {
    resource_tags::table
        .filter(resource_tags::resource_id.eq(resource))
        .select(resource_tags::tag_id)
        .load(conn)
}

/// Sets the kept count of visible resources on these tags (after any change to which
/// resources carry them or can be seen).
pub(super) fn recount_tags(conn: &mut DbConn, ids: &[TagId]) -> QueryResult<()> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for id in ids {
        let count: i64 = resource_tags::table
            .inner_join(resources::table)
            .filter(resource_tags::tag_id.eq(id))
            .filter(resources::hidden_at.is_null())
            .count()
            .get_result(conn)?;
        diesel::update(tags::table.find(id))
            .set(tags::resource_count.eq(count))
            .execute(conn)?;
    }
    Ok(())
}

/// Every tag's count from scratch: after rows went in in bulk (the demo data).
pub fn recount_all_tags(conn: &mut DbConn) -> QueryResult<()> {
    let ids: Vec<TagId> = tags::table.select(tags::id).load(conn)?;
    recount_tags(conn, &ids)
}

/// Adds a resource. Run in a write transaction; for a file, put the upload in the store
/// only after the transaction commits. Refuses with [`RuleError::Conflict`] when the same
/// bytes are in the library already.
pub fn add(
    conn: &mut WriteConn,
    owner: &Viewer,
    new: &NewResource,
    now: NaiveDateTime,
) -> Result<ResourceId, RuleError> {
    conn.serialize_on("resource-files")?;
    let (kind, url, key, name, content_type, size, sha) = match &new.content {
        Content::Link(url) => ("link", Some(url.as_str()), None, None, None, None, None),
        Content::File {
            key,
            original_name,
            content_type,
            size,
            sha256,
        } => {
            if let Some(existing) = same_file(conn, owner, sha256)? {
                return Err(RuleError::Conflict(duplicate_message(&existing)));
            }
            (
                "file",
                None,
                Some(key.as_str()),
                Some(original_name.as_str()),
                Some(content_type.as_str()),
                Some(*size),
                Some(sha256.as_str()),
            )
        }
    };
    let Described {
        title,
        description,
        tags,
        audience,
        borough,
        ..
    } = &new.described;
    let id: ResourceId = diesel::insert_into(resources::table)
        .values((
            resources::title.eq(title.as_str()),
            resources::description_source.eq(description.as_str()),
            resources::description_html.eq(markdown::cook(description.as_str())),
            resources::kind.eq(kind),
            resources::url.eq(url),
            resources::file_key.eq(key),
            resources::original_name.eq(name),
            resources::content_type.eq(content_type),
            resources::size_bytes.eq(size),
            resources::sha256.eq(sha),
            resources::audience.eq(audience.slug()),
            resources::borough.eq(borough.map(|b| b.slug())),
            resources::owner_id.eq(owner.id),
            resources::download_count.eq(0),
            resources::created_at.eq(now),
            resources::updated_at.eq(now),
            resources::held_at.eq(new.described.verdict.holds().then_some(now)),
            resources::hidden_at.eq(new.described.verdict.holds().then_some(now)),
        ))
        .returning(resources::id)
        .get_result(&mut **conn)?;
    set_tags(conn, id, tags)?;
    if new.described.verdict.holds() {
        let hold = NewHold {
            held: Held::Resource(id),
            author: owner.id,
            fresh: true,
            hid: true,
            pending_text: None,
        };
        holds::hold(conn, &hold, now)?;
    } else {
        crate::notifications::events::resource_added(conn, owner, id, title.as_str(), now)?;
    }
    search::index::resource(conn, id)?;
    Ok(id)
}

/// A held resource is published: shown, counted on its tags, found by search, and (when
/// new) announced to those following its tags.
pub(crate) fn release_held(
    conn: &mut DbConn,
    hold: &Hold,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let resource = find(conn, hold.resource_id.ok_or(RuleError::NotFound)?)?;
    diesel::update(resources::table.find(resource.id))
        .set(resources::held_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    if hold.hid {
        diesel::update(resources::table.find(resource.id))
            .set(resources::hidden_at.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    let carried = tag_ids_of(conn, resource.id)?;
    recount_tags(conn, &carried)?;
    if hold.fresh {
        let owner = Viewer::from(&crate::accounts::members::find(conn, resource.owner_id)?);
        crate::notifications::events::resource_added(
            conn,
            &owner,
            resource.id,
            &resource.title,
            now,
        )?;
    }
    search::index::resource(conn, resource.id)?;
    Ok(())
}

/// A held resource that was returned to its owner and never corrected, after the retention
/// period: it is deleted, as its owner could have done (its wording before a held change is
/// not kept, so there is nothing to go back to). Returns its stored file's key, for the
/// caller to delete once the transaction has committed.
pub(crate) fn discard_held(conn: &mut DbConn, hold: &Hold) -> QueryResult<Option<String>> {
    let Some(id) = hold.resource_id else {
        return Ok(None);
    };
    let Some(resource) = resources::table
        .find(id)
        .select(Resource::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let carried = tag_ids_of(conn, id)?;
    diesel::delete(resources::table.find(id)).execute(conn)?;
    recount_tags(conn, &carried)?;
    search::index::resource(conn, id)?;
    Ok(resource.file_key)
}

/// A facilitator takes the identifying details out of a held resource's title and
/// description; nothing keeps the words replaced.
pub(crate) fn redact_held(
    conn: &mut DbConn,
    hold: &Hold,
    title: &ResourceTitle,
    description: &ResourceDescription,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let id = hold.resource_id.ok_or(RuleError::NotFound)?;
    diesel::update(resources::table.find(id))
        .set((
            resources::title.eq(title.as_str()),
            resources::description_source.eq(description.as_str()),
            resources::description_html.eq(markdown::cook(description.as_str())),
            resources::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: ResourceId) -> QueryResult<Resource> {
    resources::table
        .find(id)
        .select(Resource::as_select())
        .first(conn)
}

pub fn tags_of(
    conn: &mut DbConn,
    ids: &[ResourceId],
) -> QueryResult<HashMap<ResourceId, Vec<String>>> {
    let mut found: HashMap<ResourceId, Vec<String>> = HashMap::new();
    for (resource, name) in resource_tags::table
        .inner_join(tags::table)
        .filter(resource_tags::resource_id.eq_any(ids))
        .order(tags::name.asc())
        .select((resource_tags::resource_id, tags::name))
        .load::<(ResourceId, String)>(conn)?
    {
        found.entry(resource).or_default().push(name);
    }
    Ok(found)
}

/// One resource with its sharer and tags, if the viewer may see it.
pub fn one(conn: &mut DbConn, viewer: &Viewer, id: ResourceId) -> Result<Listed, RuleError> {
    let (resource, sharer): (Resource, Sharer) = resources::table
        .inner_join(members::table.on(members::id.eq(resources::owner_id)))
        .filter(resources::id.eq(id))
        .select((Resource::as_select(), Sharer::as_select()))
        .first(conn)?;
    if !visible_to(&resource, viewer) {
        return Err(RuleError::NotFound);
    }
    let tags = tags_of(conn, &[id])?.remove(&id).unwrap_or_default();
    Ok(Listed {
        resource,
        sharer,
        tags,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub tags: Vec<Tag>,
    pub audience: Option<Audience>,
    pub borough: Option<Borough>,
    /// "file" or "link".
    pub kind: Option<&'static str>,
}

pub const PER_PAGE: i64 = 20;

/// A tag asked for, as the library keeps it: its id and how many resources anyone may see
/// carry it.
struct AskedTag {
    id: TagId,
    visible: i64,
}

/// How the page's query meets a tag. It can walk the library newest first in an index that
/// tells visible from hidden, looking each resource up in the tag's list, and stop after
/// the page: about `(offset + page) × library ÷ tagged` index entries, under a microsecond
/// each. Or it can start from the tag's resources, reading and sorting every one of them:
/// `tagged` rows at several microseconds each. Measured at 50,000 resources: the first page
/// of a tag on 7,469 of them 0.3 ms walking against 19 ms from the tag; page 40 of it 6 ms
/// walking. So the rare tags start from their list, the rest walk.
fn walks_newest_first(tagged: i64, library: i64, page_end: i64) -> bool {
    tagged.saturating_mul(tagged).saturating_mul(10) >= page_end.saturating_mul(library)
}

/// Newest first, every filter combined (all the tags asked for): a few queries, none per row.
pub fn browse(
    conn: &mut DbConn,
    viewer: &Viewer,
    filter: &Filter,
    page: PageNumber,
) -> QueryResult<Paged<Listed>> {
    let moderator = viewer.staff.can_moderate();
    let me = viewer.id;
    let mut names: Vec<&str> = filter.tags.iter().map(Tag::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let asked: Vec<AskedTag> = if names.is_empty() {
        Vec::new()
    } else {
        tags::table
            .filter(tags::name.eq_any(&names))
            .select((tags::id, tags::resource_count))
            .load::<(TagId, i64)>(conn)?
            .into_iter()
            .map(|(id, visible)| AskedTag { id, visible })
            .collect()
    };
    if asked.len() < names.len() {
        // A tag nobody has used: nothing carries it.
        return Ok(Paged::new(Vec::new(), page, PER_PAGE, 0));
    }
    let library: i64 = if asked.is_empty() {
        0
    } else {
        // The newest id stands for the library's size: counting it would cost more than
        // the page.
        resources::table
            .select(diesel::dsl::max(resources::id))
            .first::<Option<ResourceId>>(conn)?
            .map_or(0, |id| id.0)
    };
    let page_end = page.offset(PER_PAGE) + PER_PAGE;
    let base = |counting: bool| {
        let mut query = resources::table
            .inner_join(members::table.on(members::id.eq(resources::owner_id)))
            .into_boxed();
        if !moderator {
            query = query.filter(
                resources::hidden_at
                    .is_null()
                    .or(resources::owner_id.eq(me)),
            );
        }
        // A count reads every match whichever way: from the tag's list, the fewest rows.
        for tag in &asked {
            let carries = resource_tags::table
                .filter(resource_tags::tag_id.eq(tag.id))
                .select(resource_tags::resource_id);
            if !counting && walks_newest_first(tag.visible, library, page_end) {
                query = query.filter(diesel::dsl::exists(
                    carries.filter(resource_tags::resource_id.eq(resources::id)),
                ));
            } else {
                query = query.filter(resources::id.eq_any(carries));
            }
        }
        match filter.audience {
            // "For OTs" includes what is for both.
            Some(Audience::Only(role)) => {
                query = query.filter(
                    resources::audience.eq_any(vec!["both".to_owned(), role.slug().to_owned()]),
                )
            }
            Some(Audience::Both) => query = query.filter(resources::audience.eq("both")),
            None => {}
        }
        if let Some(borough) = filter.borough {
            query = query.filter(resources::borough.eq(borough.slug()));
        }
        if let Some(kind) = filter.kind {
            query = query.filter(resources::kind.eq(kind));
        }
        query
    };
    let total: i64 = match (
        asked.as_slice(),
        filter.audience,
        filter.borough,
        filter.kind,
    ) {
        // The library's commonest view, one tag: its kept count of visible resources, and
        // the viewer's own hidden ones that only they see.
        ([tag], None, None, None) if !moderator => {
            let own_hidden: i64 = resources::table
                .inner_join(resource_tags::table)
                .filter(resource_tags::tag_id.eq(tag.id))
                .filter(resources::owner_id.eq(me))
                .filter(resources::hidden_at.is_not_null())
                .count()
                .get_result(conn)?;
            tag.visible + own_hidden
        }
        // The whole library: every resource less the hidden ones (few, in an index of their
        // own), and the viewer's own hidden ones, that only they see. SQLite counts a whole
        // table in its smallest index; through the sharers it would read every row.
        ([], None, None, None) if !moderator => {
            let all: i64 = resources::table.count().get_result(conn)?;
            let hidden: i64 = resources::table
                .filter(resources::hidden_at.is_not_null())
                .count()
                .get_result(conn)?;
            let own_hidden: i64 = resources::table
                .filter(resources::hidden_at.is_not_null())
                .filter(resources::owner_id.eq(me))
                .count()
                .get_result(conn)?;
            all - hidden + own_hidden
        }
        _ => base(true).count().get_result(conn)?,
    };
    let rows: Vec<(Resource, Sharer)> = base(false)
        .order((resources::created_at.desc(), resources::id.desc()))
        .limit(PER_PAGE)
        .offset(page.offset(PER_PAGE))
        .select((Resource::as_select(), Sharer::as_select()))
        .load(conn)?;
    let ids: Vec<ResourceId> = rows.iter().map(|(r, _)| r.id).collect();
    let mut tags = tags_of(conn, &ids)?;
    let items = rows
        .into_iter()
        .map(|(resource, sharer)| Listed {
            tags: tags.remove(&resource.id).unwrap_or_default(),
            resource,
            sharer,
        })
        .collect();
    Ok(Paged::new(items, page, PER_PAGE, total))
}

/// Tags with the number of visible resources carrying each, most used first.
pub fn tag_cloud(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<(String, i64)>> {
    tags::table
        .filter(tags::resource_count.gt(0))
        .order((tags::resource_count.desc(), tags::name.asc()))
        .limit(limit)
        .select((tags::name, tags::resource_count))
        .load(conn)
}

/// Every tag name, for suggestions while typing.
pub fn all_tags(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    // Only tags something visible carries: a held resource's tags may be what was held.
    tags::table
        .filter(tags::resource_count.gt(0))
        .select(tags::name)
        .order(tags::name.asc())
        .limit(500)
        .load(conn)
}

pub fn update(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ResourceId,
    change: &Change,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    let resource = find(conn, id)?;
    if !may_change(&resource, viewer) {
        return Err(RuleError::Forbidden(
            "Only the person who shared it, or a facilitator, can change this resource.".into(),
        ));
    }
    let url = if resource.is_file() {
        None
    } else {
        change
            .url
            .as_ref()
            .map(|url| url.as_str())
            .or(resource.url.as_deref())
    };
    let new = &change.described;
    diesel::update(resources::table.find(id))
        .set((
            resources::title.eq(new.title.as_str()),
            resources::description_source.eq(new.description.as_str()),
            resources::description_html.eq(markdown::cook(new.description.as_str())),
            resources::audience.eq(new.audience.slug()),
            resources::borough.eq(new.borough.map(|b| b.slug())),
            resources::url.eq(url),
            resources::updated_at.eq(now),
        ))
        .execute(conn)?;
    set_tags(conn, id, &new.tags)?;
    hold_or_release(conn, viewer, &resource, new.verdict, now)?;
    search::index::resource(conn, id)?;
    if resource.owner_id != viewer.id {
        audit::record(
            conn,
            &Entry {
                actor: Some(viewer.id),
                action: "resource edited",
                target_member: Some(resource.owner_id),
                subject: &resource.subject(),
                reason: "",
            },
            now,
        )?;
    }
    Ok(())
}

/// After an edit: a change the guard holds takes the resource out of sight until a
/// facilitator approves it; a clean change to a held one publishes it (what the guard found
/// was taken out).
fn hold_or_release(
    conn: &mut DbConn,
    viewer: &Viewer,
    resource: &Resource,
    verdict: Verdict,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let open = holds::open_on(conn, Held::Resource(resource.id), resource.owner_id)?;
    match (open, verdict) {
        (None, Verdict::Publish) => {}
        (open, Verdict::Hold) => {
            diesel::update(resources::table.find(resource.id))
                .set((
                    resources::held_at.eq(now),
                    resources::hidden_at.eq(resource.hidden_at.unwrap_or(now)),
                ))
                .execute(conn)?;
            let hold = NewHold::on_edit(
                Held::Resource(resource.id),
                resource.owner_id,
                open.as_ref(),
                resource.hidden_at.is_some(),
            );
            holds::hold(conn, &hold, now)?;
            let carried = tag_ids_of(conn, resource.id)?;
            recount_tags(conn, &carried)?;
        }
        (Some(open), Verdict::Publish) => {
            release_held(conn, &open, now)?;
            holds::close(
                conn,
                open.id,
                HoldStatus::Corrected,
                Some(viewer.id),
                "",
                now,
            )?;
        }
    }
    Ok(())
}

/// Removes a resource; returns its stored file's key so the caller deletes the file once
/// the transaction has committed.
pub fn remove(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ResourceId,
    now: NaiveDateTime,
) -> Result<Option<String>, RuleError> {
    let conn: &mut DbConn = tx;
    let resource = find(conn, id)?;
    if !may_change(&resource, viewer) {
        return Err(RuleError::Forbidden(
            "Only the person who shared it, or a facilitator, can delete this resource.".into(),
        ));
    }
    let carried = tag_ids_of(conn, id)?;
    diesel::delete(resources::table.find(id)).execute(conn)?;
    recount_tags(conn, &carried)?;
    if resource.owner_id != viewer.id {
        audit::record(
            conn,
            &Entry {
                actor: Some(viewer.id),
                action: "resource deleted",
                target_member: Some(resource.owner_id),
                subject: &resource.subject(),
                reason: "",
            },
            now,
        )?;
    }
    Ok(resource.file_key)
}

/// Deletes every resource a member shared (their account is being erased); returns the
/// stored files' keys, for the caller to delete once the transaction has committed.
pub(crate) fn remove_all_of(conn: &mut DbConn, owner: MemberId) -> QueryResult<Vec<String>> {
    let theirs: Vec<(ResourceId, Option<String>)> = resources::table
        .filter(resources::owner_id.eq(owner))
        .select((resources::id, resources::file_key))
        .load(conn)?;
    let ids: Vec<ResourceId> = theirs.iter().map(|(id, _)| *id).collect();
    let carried: Vec<TagId> = resource_tags::table
        .filter(resource_tags::resource_id.eq_any(&ids))
        .select(resource_tags::tag_id)
        .load(conn)?;
    diesel::delete(resources::table.filter(resources::owner_id.eq(owner))).execute(conn)?;
    recount_tags(conn, &carried)?;
    Ok(theirs.into_iter().filter_map(|(_, key)| key).collect())
}

pub fn set_hidden(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ResourceId,
    hidden: bool,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    if !viewer.staff.can_moderate() {
        return Err(RuleError::Forbidden(
            "Only facilitators hide resources.".into(),
        ));
    }
    let resource = find(conn, id)?;
    if resource.is_held() {
        return Err(RuleError::Conflict(
            "This resource is held by the patient-data check: approve it from the held items instead."
                .into(),
        ));
    }
    diesel::update(resources::table.find(id))
        .set(resources::hidden_at.eq(if hidden { Some(now) } else { None }))
        .execute(conn)?;
    let carried = tag_ids_of(conn, id)?;
    recount_tags(conn, &carried)?;
    search::index::resource(conn, id)?;
    let action = if hidden {
        "resource hidden"
    } else {
        "resource shown again"
    };
    audit::record(
        conn,
        &Entry {
            actor: Some(viewer.id),
            action,
            target_member: Some(resource.owner_id),
            subject: &resource.subject(),
            reason: "",
        },
        now,
    )?;
    Ok(())
}

/// Counts a download and says where the file is.
pub fn download(conn: &mut DbConn, viewer: &Viewer, id: ResourceId) -> Result<Resource, RuleError> {
    let resource = find(conn, id)?;
    if !visible_to(&resource, viewer) || !resource.is_file() {
        return Err(RuleError::NotFound);
    }
    diesel::update(resources::table.find(id))
        .set(resources::download_count.eq(resources::download_count + 1))
        .execute(conn)?;
    Ok(resource)
}

/// Renames a tag; a name already in use merges the two.
pub fn rename_tag(
    tx: &mut WriteConn,
    viewer: &Viewer,
    from: &Tag,
    to: &Tag,
    now: NaiveDateTime,
) -> Result<(), RuleError> {
    let conn: &mut DbConn = tx;
    if !viewer.staff.can_moderate() {
        return Err(RuleError::Forbidden(
            "Only facilitators rename tags.".into(),
        ));
    }
    let old: TagId = tags::table
        .filter(tags::name.eq(from.as_str()))
        .select(tags::id)
        .first(conn)?;
    let existing: Option<TagId> = tags::table
        .filter(tags::name.eq(to.as_str()))
        .select(tags::id)
        .first(conn)
        .optional()?;
    match existing {
        Some(target) if target != old => {
            let already: Vec<ResourceId> = resource_tags::table
                .filter(resource_tags::tag_id.eq(target))
                .select(resource_tags::resource_id)
                .load(conn)?;
            let moving: Vec<ResourceId> = resource_tags::table
                .filter(resource_tags::tag_id.eq(old))
                .select(resource_tags::resource_id)
                .load(conn)?;
            for resource in moving.into_iter().filter(|r| !already.contains(r)) {
                diesel::insert_into(resource_tags::table)
                    .values((
                        resource_tags::resource_id.eq(resource),
                        resource_tags::tag_id.eq(target),
                    ))
                    .execute(conn)?;
            }
            diesel::delete(tags::table.find(old)).execute(conn)?;
            recount_tags(conn, &[target])?;
        }
        _ => {
            diesel::update(tags::table.find(old))
                .set(tags::name.eq(to.as_str()))
                .execute(conn)?;
        }
    }
    search::index::tagged(conn, to.as_str())?;
    audit::record(
        conn,
        &Entry {
            actor: Some(viewer.id),
            action: "tag renamed",
            target_member: None,
            subject: &format!("{from} → {to}"),
            reason: "",
        },
        now,
    )?;
    Ok(())
}

fn set_thread(conn: &mut DbConn, id: ResourceId, thread: ThreadId) -> QueryResult<()> {
    diesel::update(resources::table.find(id))
        .set(resources::thread_id.eq(thread))
        .execute(conn)?;
    Ok(())
}

/// The resource's discussion thread, which the first member to ask for it starts.
pub fn discuss(
    tx: &mut WriteConn,
    viewer: &Viewer,
    id: ResourceId,
    now: NaiveDateTime,
) -> Result<ThreadId, RuleError> {
    let resource = one(tx, viewer, id)?.resource;
    if let Some(thread) = resource.thread_id {
        return Ok(thread);
    }
    if resource.hidden_at.is_some() {
        return Err(RuleError::Conflict(
            "A hidden resource cannot have a discussion thread until it is shown again.".into(),
        ));
    }
    let category = categories::by_slug(tx, "resource-discussions")?;
    // Resource titles may be as long as thread titles: leave room for "About: ".
    let mut short: String = resource.title.chars().take(190).collect();
    if short.len() < resource.title.len() {
        short.push('…');
    }
    let title = ThreadTitle::parse(&format!("About: {short}"))
        .map_err(|why| RuleError::Invalid("title", why))?;
    let body = PostBody::parse(&format!(
        "A thread to talk about [{}](/resources/{id}): how you use it, what works, what is missing.",
        resource.title.replace(['[', ']'], "")
    ))
    .map_err(|why| RuleError::Invalid("body", why))?;
    // Its words are the resource's, published already.
    let thread = threads::start(tx, viewer, &category, &title, &body, Verdict::Publish, now)?;
    set_thread(tx, id, thread)?;
    Ok(thread)
}

/// What the small card under a post shows of a resource it links to.
#[derive(Debug, Clone)]
pub struct ResourceCard {
    pub id: ResourceId,
    pub title: String,
    /// "PDF", "Link", …
    pub label: &'static str,
}

/// Cards for the resources among these ids that `viewer` may open: the library is for
/// members, so a visitor reading a public thread sees no card (not even a title).
pub fn cards(
    conn: &mut DbConn,
    viewer: Option<&Viewer>,
    ids: &[ResourceId],
) -> QueryResult<HashMap<ResourceId, ResourceCard>> {
    let Some(viewer) = viewer else {
        return Ok(HashMap::new());
    };
    let mut query = resources::table
        .filter(resources::id.eq_any(ids))
        .into_boxed();
    if !viewer.staff.can_moderate() {
        query = query.filter(
            resources::hidden_at
                .is_null()
                .or(resources::owner_id.eq(viewer.id)),
        );
    }
    Ok(query
        .select((resources::id, resources::title, resources::content_type))
        .load::<(ResourceId, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, title, content_type)| {
            let label = content_type
                .as_deref()
                .map_or("Link", super::sniff::FileType::label);
            (id, ResourceCard { id, title, label })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::walks_newest_first;

    #[test]
    fn common_tags_walk_the_library_and_rare_ones_or_deep_pages_start_from_the_tag() {
        // 50,000 resources, the first page (20).
        assert!(walks_newest_first(7_469, 50_000, 20));
        assert!(walks_newest_first(317, 50_000, 20));
        assert!(!walks_newest_first(316, 50_000, 20));
        // Page 40 of the common tag, 800 resources deep, still walks; page 1,000 does not.
        assert!(walks_newest_first(7_469, 50_000, 800));
        assert!(!walks_newest_first(7_469, 50_000, 20_000));
        assert!(!walks_newest_first(0, 10, 20));
        assert!(walks_newest_first(i64::MAX, i64::MAX, 20), "no overflow");
    }
}
