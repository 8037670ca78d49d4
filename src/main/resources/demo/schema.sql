-- The demo schema: a conditional upsert, a table with a masked column, a partitioned table whose
-- partitions map to one resource.
create table bookmarks (
    user_id    bigint not null,
    url        text   not null,
    title      text,
    visits     int    not null default 1,
    updated_at timestamptz not null default now(),
    primary key (user_id, url)
);
alter table bookmarks replica identity full;

create table blog_articles (
    id           bigserial primary key,
    title        text not null,
    body         text,
    tags         text[],
    author_email text,
    rating       numeric(4,2),
    metadata     jsonb,
    published_at timestamptz,
    updated_at   timestamptz not null default now()
);
alter table blog_articles replica identity full;

create table events (
    id          bigserial,
    occurred_at timestamptz not null,
    kind        text not null,
    payload     jsonb,
    primary key (id, occurred_at)
) partition by range (occurred_at);
create table events_2026_10 partition of events for values from ('2026-10-01') to ('2026-11-01');
create table events_2026_11 partition of events for values from ('2026-11-01') to ('2026-12-01');
create table events_2026_12 partition of events for values from ('2026-12-01') to ('2027-01-01');

insert into blog_articles (title, body, tags, author_email, rating, metadata, published_at)
values ('Hello, WAL', 'Logical decoding 101', '{postgres,cdc}', 'ada@example.com', 4.50,
        '{"lang": "en", "draft": false}', '2026-11-01 09:00:00+00'),
       ('Per-row order', 'Why partition keys matter', '{kinesis}', 'grace@example.com', 3.75,
        '{"lang": "en"}', null);
insert into bookmarks (user_id, url, title) values (1, 'https://example.com/', 'Example');
insert into events (occurred_at, kind, payload) values ('2026-11-02 10:00:00+00', 'signup', '{"user": 1}');
