//! `#/answers`: searching the base of published answers; `#/answers/<id>`: one article with
//! its legal references. Open to every signed-in teacher, verified or not.

use leptos::prelude::*;
use shared::kb::{Article, SearchResult};

use teacher_app::api::{self, load_into, Remote};
use teacher_app::components::{BackLink, ErrorBox, Loading};
use teacher_app::router::Route;
use teacher_app::strings;

#[component]
pub fn AnswersPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let result = RwSignal::new(Remote::<SearchResult>::Loading);
    let started = RwSignal::new(false);
    let search = move || {
        let q = query.get_untracked().trim().to_owned();
        if !q.is_empty() {
            started.set(true);
            load_into(result, api::kb_search(q));
        }
    };
    let body = move || {
        started.get().then(|| match result.get() {
            Remote::Loading => view! { <Loading/> }.into_any(),
            Remote::Failed(error) => {
                view! { <ErrorBox message=error.message() on_retry=move |()| search()/> }.into_any()
            }
            Remote::Ready(found) if found.items.is_empty() => {
                view! { <p class="state" id="kb-empty">{strings::SEARCH_EMPTY}</p> }.into_any()
            }
            Remote::Ready(found) => view! {
                <ul class="list" id="kb-results">
                    {found.items.into_iter().map(|hit| view! {
                        <li>
                            <a class="row" href=Route::Article(hit.article_id).href()>
                                <span class="row-title">{hit.title}</span>
                                <span class="row-meta clamp">{hit.question}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        })
    };
    view! {
        <BackLink href="#/"/>
        <h1>{strings::ANSWERS_TITLE}</h1>
        <form id="kb-search" class="card" role="search" novalidate
            on:submit=move |ev| { ev.prevent_default(); search(); }>
            <div class="field">
                <label for="kb-q">{strings::SEARCH}</label>
                <p class="hint" id="kb-q-hint">{strings::SEARCH_HINT}</p>
                <input id="kb-q" type="search" enterkeyhint="search" aria-describedby="kb-q-hint"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="button wide">{strings::FIND}</button>
        </form>
        {body}
    }
}

#[component]
pub fn ArticlePage(id: String) -> impl IntoView {
    let article = RwSignal::new(Remote::Loading);
    let id = StoredValue::new(id);
    let load = move || load_into(article, api::article(id.get_value()));
    load();
    let body = move || match article.get() {
        Remote::Loading => view! { <Loading/> }.into_any(),
        Remote::Failed(error) => {
            view! { <ErrorBox message=error.message() on_retry=move |()| load()/> }.into_any()
        }
        Remote::Ready(article) => view! { <ArticleView article/> }.into_any(),
    };
    view! {
        <BackLink href="#/answers"/>
        {body}
        <a class="button secondary wide" href=Route::Ask.href()>{strings::ASK_OWN}</a>
    }
}

#[component]
fn ArticleView(article: Article) -> impl IntoView {
    let refs = (!article.legal_refs.is_empty()).then(|| {
        view! {
            <section class="card" id="legal-refs">
                <h2 class="card-title">{strings::LEGAL_REFS}</h2>
                <ul class="refs">
                    {article.legal_refs.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <h1 id="article-title">{article.title}</h1>
        <p class="lead">{article.question}</p>
        <section class="card"><p class="text" id="article-answer">{article.answer}</p></section>
        {refs}
    }
}
