//! «Помощь»: the help texts of `data/help` served as they are, to anyone, signed in or not.

use integration_tests::{problem, spawn_app, workspace_root};
use serde_json::Value;

#[tokio::test]
async fn help_is_the_file_of_the_audience_for_everyone() {
    let app = spawn_app().await;
    for audience in ["teacher", "staff"] {
        let file =
            std::fs::read_to_string(workspace_root().join(format!("data/help/{audience}.md")))
                .unwrap();
        let response = app.get(&format!("/api/v1/help/{audience}")).await;
        assert_eq!(response.status(), 200, "{audience} without a token");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["audience"], audience);
        assert_eq!(
            body["text"],
            file.as_str(),
            "the text is the file, unchanged"
        );
    }
    let teacher: Value = app.get("/api/v1/help/teacher").await.json().await.unwrap();
    let text = teacher["text"].as_str().unwrap();
    assert!(text.contains("5 рабочих дней"), "how long an answer takes");
    assert!(text.contains("Госуслуги"), "how verification works");
    assert!(
        text.contains("Нужен ваш ответ"),
        "the pause of the deadline"
    );

    // Signed in, the same answer.
    let operator = app
        .dev_login("operator", Some("77"), "Оператор", true)
        .await;
    let staff: Value = app
        .get_as("/api/v1/help/staff", &operator.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(staff["text"].as_str().unwrap().contains("На контроль"));

    problem(app.get("/api/v1/help/admin").await, 404).await;
}
