"""Initial schema: sources, raw pages, articles, stories, labels, crawl runs, caches.

Revision ID: 0001
Revises: 
Create Date: 2026-11-28 14:44:46.112391
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('command', sa.String(length=200), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('fetch_status',
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('url')
    )
    with op.batch_alter_table('fetch_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fetch_status_source_id'), ['source_id'], unique=False)

    op.create_table('http_cache',
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url')
    )
    op.create_table('sources',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('family', sa.String(length=32), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=True),
    sa.Column('authority', sa.Integer(), nullable=False),
    sa.Column('home', sa.String(length=500), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('consecutive_empty', sa.Integer(), nullable=False),
    sa.Column('layout_warning', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('representative_id', sa.Integer(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('outlets', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['representative_id'], ['articles.id'], name='fk_stories_representative', ondelete='SET NULL', use_alter=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('crawl_run_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('list_pages', sa.Integer(), nullable=False),
    sa.Column('article_links', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('blocked', sa.Integer(), nullable=False),
    sa.Column('not_modified', sa.Integer(), nullable=False),
    sa.Column('empty_bodies', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'source_id', name='uq_crawl_run_sources')
    )
    with op.batch_alter_table('crawl_run_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_run_sources_run_id'), ['run_id'], unique=False)

    op.create_table('raw_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('raw_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raw_pages_url'), ['url'], unique=False)

    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_precise', sa.Boolean(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('origin', sa.String(length=200), nullable=True),
    sa.Column('byline', sa.Text(), nullable=True),
    sa.Column('wechat_account', sa.String(length=200), nullable=True),
    sa.Column('wechat_biz', sa.String(length=64), nullable=True),
    sa.Column('wechat_mid', sa.String(length=32), nullable=True),
    sa.Column('wechat_idx', sa.String(length=8), nullable=True),
    sa.Column('region', sa.String(length=32), nullable=True),
    sa.Column('city', sa.String(length=64), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('images', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('page_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('section', sa.String(length=32), nullable=True),
    sa.Column('section_confidence', sa.Float(), nullable=True),
    sa.Column('section_origin', sa.String(length=16), nullable=True),
    sa.Column('section_model', sa.String(length=64), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('raw_page_id', sa.Integer(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['raw_page_id'], ['raw_pages.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url'),
    sa.UniqueConstraint('wechat_biz', 'wechat_mid', 'wechat_idx', name='uq_articles_wechat_key')
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index('ix_articles_published_at', ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_region'), ['region'], unique=False)
        batch_op.create_index('ix_articles_section_published', ['section', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_story_id'), ['story_id'], unique=False)

    if op.get_bind().dialect.name != "sqlite":
        # The stories <-> articles cycle: SQLite keeps the constraint inline, other databases add it
        # once both tables exist (CREATE TABLE leaves use_alter constraints out).
        op.create_foreign_key(
            "fk_stories_representative", "stories", "articles", ["representative_id"], ["id"], ondelete="SET NULL"
        )

    op.create_table('article_aliases',
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('url')
    )
    with op.batch_alter_table('article_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_aliases_article_id'), ['article_id'], unique=False)

    op.create_table('manual_labels',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=32), nullable=False),
    sa.Column('labelled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('editor', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id')
    )
    op.create_table('story_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('story_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_bands_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_story_bands_key', ['band', 'key'], unique=False)

    op.create_table('story_signatures',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.Column('shingles', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id')
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_stories_representative", "stories", type_="foreignkey")
    op.drop_table('story_signatures')
    with op.batch_alter_table('story_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_story_bands_key')
        batch_op.drop_index(batch_op.f('ix_story_bands_article_id'))

    op.drop_table('story_bands')
    op.drop_table('manual_labels')
    with op.batch_alter_table('article_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_aliases_article_id'))

    op.drop_table('article_aliases')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_story_id'))
        batch_op.drop_index(batch_op.f('ix_articles_source_id'))
        batch_op.drop_index('ix_articles_section_published')
        batch_op.drop_index(batch_op.f('ix_articles_region'))
        batch_op.drop_index('ix_articles_published_at')
        batch_op.drop_index(batch_op.f('ix_articles_content_hash'))

    op.drop_table('articles')
    with op.batch_alter_table('raw_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raw_pages_url'))

    op.drop_table('raw_pages')
    with op.batch_alter_table('crawl_run_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_run_sources_run_id'))

    op.drop_table('crawl_run_sources')
    op.drop_table('stories')
    op.drop_table('sources')
    op.drop_table('http_cache')
    with op.batch_alter_table('fetch_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fetch_status_source_id'))

    op.drop_table('fetch_status')
    op.drop_table('crawl_runs')
